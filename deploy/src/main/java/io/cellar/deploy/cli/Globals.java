package io.cellar.deploy.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The global flags of {@code vineyardctl} (the reference's {@code global_flags.go}), accepted
 * before or after the subcommand. One instance per command line, held by the root command. Not
 * thread-safe (set while parsing, read after).
 */
public final class Globals {
  /** The reference's default namespace. */
  public static final String DEFAULT_NAMESPACE = "vineyard-system";

  /** The kubeconfig file; null means {@code $KUBECONFIG}, then {@code ~/.kube/config}. */
  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "kubeconfig path (default: $KUBECONFIG or $HOME/.kube/config)")
  public Path kubeconfig;

  /** The namespace of the vineyard objects. */
  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      paramLabel = "NAMESPACE",
      defaultValue = DEFAULT_NAMESPACE,
      description = "the namespace of the vineyard objects (default: ${DEFAULT-VALUE})")
  public String namespace = DEFAULT_NAMESPACE;

  /** Whether to wait until the objects are ready (or gone). */
  @Option(
      names = "--wait",
      scope = ScopeType.INHERIT,
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "wait until the objects are ready, or gone (default: ${DEFAULT-VALUE})")
  public boolean wait = true;

  /** How long {@code --wait} waits. */
  @Option(
      names = "--wait-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      defaultValue = "PT1H",
      converter = DurationConverter.class,
      description = "how long --wait waits: 90s, 5m, 1h or ISO-8601 (default: 1h)")
  public Duration waitTimeout = Duration.ofHours(1);

  /** Whether to create the namespace when it is missing. */
  @Option(
      names = "--create-namespace",
      scope = ScopeType.INHERIT,
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "create the namespace if it does not exist (default: false)")
  public boolean createNamespace;

  /** Verbose logs (and stack traces of failures). */
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "BOOL",
      description = "print verbose logs (default: false)")
  public boolean verbose;

  /** Creates the defaults. */
  public Globals() {}

  /** Parses {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or an ISO-8601 duration. */
  public static final class DurationConverter
      implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      try {
        if (v.startsWith("P") || v.startsWith("p")) {
          return Duration.parse(v);
        }
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> throw new IllegalArgumentException();
        };
      } catch (RuntimeException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (90s, 5m, 1h)");
      }
    }
  }
}
