/**
 * The start-up warm-up nobody sees: before the real socket exists, the daemon serves a small
 * throwaway store on a private socket and plays a client session against it through Cellar's own
 * Java client, so the request paths are compiled when the first real client comes.
 */
package io.cellar.server.warmup;
