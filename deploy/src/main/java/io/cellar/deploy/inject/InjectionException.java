package io.cellar.deploy.inject;

/**
 * The workflow cannot be injected as asked: it is not a workflow, or a template, task or DAG the
 * flags name is not in it. The message names the problem and the flag or field at fault.
 */
public final class InjectionException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, naming the flag or the workflow's field
   */
  public InjectionException(String message) {
    super(message);
  }
}
