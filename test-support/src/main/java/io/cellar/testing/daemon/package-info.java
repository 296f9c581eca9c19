/**
 * The one daemon harness: runs Cellar's {@code vineyardd} (from a test class path or {@code
 * bin/vineyardd}) or the reference {@code vineyardd} as a real process on a temporary socket and
 * free ports, waits until it accepts, and stops it; {@link
 * io.cellar.testing.daemon.VineyarddExtension} does so for a JUnit 5 test class and attaches the
 * daemon's log to a failure.
 */
package io.cellar.testing.daemon;
