package io.cellar.client.testing;

import io.cellar.posix.ErrnoException;
import io.cellar.posix.FileCalls;

/** Files the client's tests hand it where a server would. Stateless and thread-safe. */
public final class TestFiles {
  private TestFiles() {}

  /**
   * A memfd of the given size, as a server's arena.
   *
   * @param size the file length
   * @return the fd, owned by the caller
   * @throws ErrnoException when the kernel refuses
   */
  public static int memfd(long size) throws ErrnoException {
    int fd = FileCalls.memfdCreate("cellar-test", FileCalls.MFD_CLOEXEC);
    FileCalls.ftruncate(fd, size);
    return fd;
  }
}
