package io.cellar.testing.k8s;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeToolsTest {
  @TempDir Path dir;

  @Test
  void anIncompleteToolDirectoryIsRefusedNamingWhatIsMissing() throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    Files.writeString(dir.resolve("bin/kubectl"), "");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KubeTools.at(dir));
    assertTrue(e.getMessage().contains(".complete"), e.getMessage());
    assertTrue(e.getMessage().contains("bin/kube-apiserver"), e.getMessage());
    assertTrue(e.getMessage().contains("stages/pod-ready.yaml"), e.getMessage());
    assertTrue(e.getMessage().contains(KubeTools.SCRIPT), e.getMessage());
  }
}
