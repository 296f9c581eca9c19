package io.cellar.protocol;

/**
 * The answer to creating an object's metadata ({@code create_data_reply}).
 *
 * @param id the new object id
 * @param signature the object's signature
 * @param instanceId the instance the object belongs to (2^64-1 for a global object)
 */
public record ObjectCreated(long id, long signature, long instanceId) {}
