/**
 * Moving an object to this instance ({@code migrate_object}, the Python client's {@code
 * get(fetch=True)}): its blobs are pulled from the owner instance over RPC (the owner's {@code
 * rpc_endpoint} as the metadata backend lists it) and its metadata recreated and persisted here.
 */
package io.cellar.server.migrate;
