/**
 * The Vineyard wire protocol: the frame layout (an 8-byte little-endian length, then compact JSON),
 * frame extraction from a byte stream, request field access with clear errors, and reply building.
 */
package io.cellar.server.protocol;
