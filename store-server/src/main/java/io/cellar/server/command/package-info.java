/**
 * Command dispatch: one handler class per command family maps each protocol request onto the {@link
 * io.cellar.core.Store} and builds the exact reply the reference server sends.
 */
package io.cellar.server.command;
