/**
 * Python for tests: virtual environments under the repository's {@code build/} directory with
 * pinned packages, created once and reused while the pins stay the same, and scripts run in them
 * with a timeout.
 */
package io.cellar.testing.python;
