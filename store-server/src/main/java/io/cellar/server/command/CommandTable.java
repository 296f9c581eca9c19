package io.cellar.server.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The command strings the server knows, each with its handler and placement. Filled once by the
 * handler families at start-up, then read-only.
 *
 * <p>Thread-safe for reading after {@link #freeze()}; registration is single-threaded.
 */
public final class CommandTable {
  /**
   * One known command.
   *
   * @param type the request type string
   * @param handler the handler
   * @param placement where it runs
   */
  public record Command(String type, CommandHandler handler, Placement placement) {}

  private final Map<String, Command> commands = new HashMap<>();
  private boolean frozen;

  /** An empty table. */
  public CommandTable() {}

  /**
   * Registers a command that runs on the event loop.
   *
   * @param type the request type
   * @param handler its handler
   * @return this table
   */
  public CommandTable add(String type, CommandHandler handler) {
    return add(type, handler, Placement.LOOP);
  }

  /**
   * Registers a command.
   *
   * @param type the request type
   * @param handler its handler
   * @param placement where it runs
   * @return this table
   * @throws IllegalStateException when frozen or already registered
   */
  public CommandTable add(String type, CommandHandler handler, Placement placement) {
    if (frozen) {
      throw new IllegalStateException("command table is frozen");
    }
    if (commands.putIfAbsent(type, new Command(type, handler, placement)) != null) {
      throw new IllegalStateException("command registered twice: " + type);
    }
    return this;
  }

  /**
   * Ends registration.
   *
   * @return this table
   */
  public CommandTable freeze() {
    frozen = true;
    return this;
  }

  /**
   * The command for a request type.
   *
   * @param type the request type
   * @return the command, or null for an unknown type
   */
  public Command lookup(String type) {
    return commands.get(type);
  }

  /**
   * Every known command.
   *
   * @return the commands, unmodifiable
   */
  public Collection<Command> all() {
    return java.util.Collections.unmodifiableCollection(commands.values());
  }
}
