package io.cellar.core.meta.backend;

/**
 * One registered instance as the backend knows it.
 *
 * @param instanceId the instance id
 * @param facts what it published
 * @param timestamp its last heartbeat (milliseconds since the epoch), or 0 when the backend keeps
 *     none
 */
public record InstanceRecord(long instanceId, InstanceFacts facts, long timestamp) {}
