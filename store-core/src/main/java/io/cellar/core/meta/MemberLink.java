package io.cellar.core.meta;

/**
 * A member field of an object: the id of the member and, for a blob member, the instance the blob
 * lives on (kept in the link as the reference does, since blobs have no metadata of their own).
 *
 * @param id the member's object or blob id
 * @param instanceId the blob's instance id; for object members, the member's instance at link time
 */
record MemberLink(long id, long instanceId) {}
