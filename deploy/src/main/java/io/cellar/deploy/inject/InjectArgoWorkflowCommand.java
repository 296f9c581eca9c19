package io.cellar.deploy.inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cellar.deploy.cli.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vineyardctl inject argo-workflow}: the reference's command and flags ({@code -f}, {@code
 * -t/--templates}, {@code --vineyard-cluster}, {@code --mount-path}, {@code --dag}, {@code
 * --tasks}, {@code --output-as-file}). Reads the workflow, injects it with {@link
 * ArgoWorkflowInjector} and prints the result as YAML, or with {@code --output-as-file} writes it
 * beside the input as {@code <name>_with_vineyard.yaml} (atomically; the input is never written). A
 * problem with the file or the flags is one message naming it and exit status 1.
 */
@Command(
    name = "argo-workflow",
    mixinStandardHelpOptions = true,
    description = "Inject the vineyard volume into an Argo workflow's templates and DAG tasks.")
public final class InjectArgoWorkflowCommand implements Callable<Integer> {
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          // "4000" stays a string: Argo's parameter values are strings, and a bare 4000 is not
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "the file of the Argo workflow")
  Path file;

  @Option(
      names = {"-t", "--templates"},
      split = ",",
      required = true,
      description = "the templates whose containers get the vineyard volume (comma-separated)")
  List<String> templates = new ArrayList<>();

  @Option(
      names = "--vineyard-cluster",
      required = true,
      description = "the vineyard cluster the workflow uses, as namespace/name")
  String vineyardCluster;

  @Option(
      names = "--mount-path",
      required = true,
      description = "where the vineyard volume is mounted in the containers")
  String mountPath;

  @Option(names = "--dag", required = true, description = "the DAG template whose tasks run them")
  String dag;

  @Option(
      names = "--tasks",
      split = ",",
      description = "the DAG's tasks that get the volume's name (comma-separated)")
  List<String> tasks = new ArrayList<>();

  @Option(
      names = "--output-as-file",
      description =
          "write <file>_with_vineyard.yaml instead of printing (default: ${DEFAULT-VALUE})")
  boolean outputAsFile;

  /** Creates the command (picocli instantiates it). */
  public InjectArgoWorkflowCommand() {}

  @Override
  public Integer call() {
    String yaml;
    try {
      ArgoWorkflowInjector injector =
          new ArgoWorkflowInjector(templates, vineyardCluster, mountPath, dag, tasks);
      yaml = YAML.writeValueAsString(injector.inject(read(file)));
    } catch (InjectionException e) {
      throw new UserError(file + ": " + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new UserError(
          "cannot write the injected workflow as YAML: " + e.getOriginalMessage(), e);
    }
    if (outputAsFile) {
      Path target = injectedFile(file);
      write(target, yaml);
      spec.commandLine().getOut().println("wrote " + target);
    } else {
      spec.commandLine().getOut().print(yaml);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  /**
   * The output file beside the input: {@code a/wf.yaml} becomes {@code a/wf_with_vineyard.yaml}.
   */
  static Path injectedFile(Path input) {
    String name = input.getFileName().toString();
    String stem = name.replaceFirst("\\.ya?ml$", "");
    return input.resolveSibling(stem + "_with_vineyard.yaml");
  }

  private static ObjectNode read(Path file) throws InjectionException {
    if (!Files.isRegularFile(file)) {
      throw new UserError("-f: " + file + " is not a readable file");
    }
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new UserError(
          "-f: " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""),
          e);
    }
    if (documents.size() != 1) {
      throw new InjectionException(
          "holds " + documents.size() + " YAML documents; expected exactly one Argo Workflow");
    }
    if (!(documents.getFirst() instanceof ObjectNode workflow)) {
      throw new InjectionException("the file is not a YAML mapping, so not an Argo Workflow");
    }
    return workflow;
  }

  private static void write(Path target, String yaml) {
    try {
      Path temporary =
          Files.createTempFile(target.toAbsolutePath().getParent(), ".inject", ".yaml");
      try {
        Files.writeString(temporary, yaml, StandardCharsets.UTF_8);
        Files.move(
            temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UserError("cannot write " + target + ": " + e, e);
    }
  }
}
