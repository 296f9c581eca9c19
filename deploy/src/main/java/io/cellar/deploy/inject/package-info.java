/**
 * {@code vineyardctl inject}: rewrites a user's workflow so its steps get the vineyard volume, as
 * the reference's {@code inject argo-workflow} does. The rewriting is a pure function of the parsed
 * document ({@link io.cellar.deploy.inject.ArgoWorkflowInjector}); the command reads and writes the
 * files.
 */
package io.cellar.deploy.inject;
