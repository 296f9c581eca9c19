/** The daemon's command line: gflags syntax, vineyardd's flags and defaults, plus Cellar's own. */
package io.cellar.server.cli;
