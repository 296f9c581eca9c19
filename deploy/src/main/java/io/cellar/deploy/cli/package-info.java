/**
 * The {@code vineyardctl} commands that talk to Kubernetes: {@code deploy}, {@code delete}, {@code
 * manifests} and {@code manager}, with the reference's flags and defaults. Every failure a user can
 * cause (a malformed flag, an unreachable API server, a refused object) ends in one message naming
 * the cause and a non-zero exit, never a stack trace (unless {@code --verbose}).
 */
package io.cellar.deploy.cli;
