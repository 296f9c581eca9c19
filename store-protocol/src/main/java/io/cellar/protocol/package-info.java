/**
 * The Vineyard wire protocol as both ends of a connection see it: framing, status codes and the
 * exception family, object ids, unsigned JSON and the payload codec.
 */
package io.cellar.protocol;
