package io.cellar.etcd;

import io.cellar.core.meta.backend.MetaOp;
import io.cellar.core.meta.backend.Registration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Cellar instance in its own JVM, for tests that kill it with -9 or pause it with SIGSTOP.
 * Arguments are {@code key=value} backend options; it registers, prints {@code REGISTERED <id>},
 * watches (printing {@code RESET <id>} on a reset), then obeys lines on standard input: {@code name
 * <text> <id>} commits a name and prints {@code COMMITTED <revision>}; {@code close} closes the
 * backend and exits.
 */
public final class BackendChild {
  private BackendChild() {}

  /**
   * Runs the child.
   *
   * @param args backend options as {@code key=value}
   * @throws Exception on any failure (the test sees the exit)
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    EtcdMetaBackend backend = EtcdMetaBackend.open(options);
    Registration registration = backend.register(Backends.facts(99));
    backend.watch(
        backend.load().revision(),
        new io.cellar.core.meta.backend.MetaListener() {
          @Override
          public void onChanges(long revision, List<MetaOp> ops) {}

          @Override
          public void onReset(Registration again) {
            System.out.println("RESET " + again.instanceId());
            System.out.flush();
          }
        });
    System.out.println("REGISTERED " + registration.instanceId()); // and watching
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.strip().split(" ");
      if (words[0].equals("name")) {
        long revision =
            backend.commit(List.of(new MetaOp.PutName(words[1], Long.parseLong(words[2])))).get();
        System.out.println("COMMITTED " + revision);
        System.out.flush();
      } else if (words[0].equals("close")) {
        break;
      }
    }
    backend.close();
  }
}
