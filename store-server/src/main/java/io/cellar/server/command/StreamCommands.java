package io.cellar.server.command;

/**
 * Streams (reference §2.6) and the Plasma-compatible commands (§2.7): known, answered with
 * NotImplemented (6) and a message saying so, rather than "unexpected command".
 *
 * <p>Stateless and thread-safe.
 */
public final class StreamCommands {
  /** The stream commands. */
  static final String[] STREAMS = {
    "create_stream_request",
    "open_stream_request",
    "get_next_stream_chunk_request",
    "push_next_stream_chunk_request",
    "pull_next_stream_chunk_request",
    "stop_stream_request",
    "drop_stream_request"
  };

  /** The Plasma commands. */
  static final String[] PLASMA = {
    "create_buffer_by_plasma_request",
    "get_buffers_by_plasma_request",
    "plasma_seal_request",
    "plasma_release_request",
    "plasma_delete_data_request",
    "move_buffers_ownership_request"
  };

  /** The family. */
  public StreamCommands() {}

  /**
   * Adds this family's commands.
   *
   * @param table the table to fill
   */
  public void registerInto(CommandTable table) {
    CommandHandler streams = new NotBuilt("streams are not built yet");
    for (String type : STREAMS) {
      table.add(type, streams);
    }
    CommandHandler plasma = new NotBuilt("this server is a Default (1) store, not a Plasma store");
    for (String type : PLASMA) {
      table.add(type, plasma);
    }
  }
}
