package io.cellar.testing.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The work directory of one control plane and where each file lives in it. Everything the
 * components write (etcd's data, the API server's certificates, logs, kubectl's cache, the
 * controller-manager's flex-volume dir, a private {@code HOME}) stays under {@link #root()}.
 *
 * <pre>
 * root/
 *   logs/NAME.log        one per component
 *   pki/                 --cert-dir: apiserver.crt (self-signed, with its CA), apiserver.key
 *   etcd/                etcd's --data-dir
 *   sa.key, sa.pub       the service-account signing key pair (RSA, made by openssl)
 *   tokens.csv           --token-auth-file (the admin token)
 *   admin.kubeconfig
 *   home/                HOME for every process; kubectl-cache/ inside it
 *   flexvolume/          --flex-volume-plugin-dir
 *   manifests/           files the harness hands to kubectl
 * </pre>
 *
 * @param root the work directory
 */
record PlaneLayout(Path root) {

  /**
   * Creates a fresh work directory under {@code parent} with its subdirectories.
   *
   * @param parent where to create it (the system temporary directory, typically)
   * @return the layout
   */
  static PlaneLayout create(Path parent) {
    try {
      Files.createDirectories(parent);
      PlaneLayout layout = new PlaneLayout(Files.createTempDirectory(parent, "cellar-k8s-"));
      for (Path dir :
          new Path[] {
            layout.logs(),
            layout.pki(),
            layout.etcdData(),
            layout.home(),
            layout.kubectlCache(),
            layout.flexVolume(),
            layout.manifests()
          }) {
        Files.createDirectories(dir);
      }
      return layout;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a control-plane work dir in " + parent, e);
    }
  }

  Path logs() {
    return root.resolve("logs");
  }

  Path log(String component) {
    return logs().resolve(component + ".log");
  }

  Path pki() {
    return root.resolve("pki");
  }

  /** The API server's self-signed serving certificate (written by the API server at start). */
  Path apiServerCert() {
    return pki().resolve("apiserver.crt");
  }

  Path etcdData() {
    return root.resolve("etcd");
  }

  Path serviceAccountKey() {
    return root.resolve("sa.key");
  }

  Path serviceAccountPublicKey() {
    return root.resolve("sa.pub");
  }

  Path tokenFile() {
    return root.resolve("tokens.csv");
  }

  Path adminKubeconfig() {
    return root.resolve("admin.kubeconfig");
  }

  Path home() {
    return root.resolve("home");
  }

  Path kubectlCache() {
    return home().resolve("kubectl-cache");
  }

  Path flexVolume() {
    return root.resolve("flexvolume");
  }

  Path manifests() {
    return root.resolve("manifests");
  }

  /**
   * Removes the work directory and everything in it.
   *
   * @throws UncheckedIOException if something cannot be removed
   */
  void delete() {
    if (!Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove the control-plane work dir " + root, e);
    }
  }
}
