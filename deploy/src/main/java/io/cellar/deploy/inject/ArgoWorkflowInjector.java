package io.cellar.deploy.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a plain Argo workflow into one whose chosen steps share a vineyard volume, with the
 * reference's result ({@code vineyardctl inject argo-workflow}):
 *
 * <ul>
 *   <li>a resource template {@value #NAME} that creates the PVC {@code
 *       {{workflow.name}}-vineyard-objects-pvc} (ReadWriteMany, 1Mi, storage class {@code
 *       <ns>.<name>.csi}, owned by the workflow) and outputs its name as the parameter {@value
 *       #PARAMETER};
 *   <li>in each chosen template: the input parameter {@value #PARAMETER}, a volume {@value #NAME}
 *       claiming it, and a mount of that volume at the mount path in its container (or script);
 *   <li>in the DAG: a task {@value #NAME} running that template, and in each chosen task, and in
 *       every task that runs a chosen template (it must pass the new input), a dependency on it and
 *       the argument {@value #PARAMETER}.
 * </ul>
 *
 * <p>Unlike the reference, which panics or writes an unusable workflow, every name the options give
 * is checked first: a document that is not a workflow, a template, DAG or task that is not in it, a
 * chosen template with no container, a cluster that is not {@code namespace/name}, or a workflow
 * injected already, is an {@link InjectionException} naming it, and nothing is changed.
 *
 * <p>Stateless and thread-safe; {@link #inject} returns a new tree and leaves its argument as it
 * was.
 */
public final class ArgoWorkflowInjector {
  /** The name of the resource template, of its DAG task and of the volume in each template. */
  public static final String NAME = "vineyard-objects";

  /** The parameter that carries the PVC's name from the resource template to the steps. */
  public static final String PARAMETER = "vineyard-objects-name";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Set<String> KINDS =
      Set.of("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate");

  private final List<String> templates;
  private final String cluster;
  private final String mountPath;
  private final String dag;
  private final List<String> tasks;

  /**
   * Creates the injector for one set of options.
   *
   * @param templates the templates whose containers get the volume ({@code --templates})
   * @param vineyardCluster the vineyard cluster as {@code namespace/name} ({@code
   *     --vineyard-cluster}); its storage class is {@code namespace.name.csi}
   * @param mountPath where the volume is mounted in the containers ({@code --mount-path})
   * @param dag the DAG template whose tasks pass the PVC's name ({@code --dag})
   * @param tasks the DAG's tasks that get the argument and the dependency ({@code --tasks})
   * @throws InjectionException when an option is malformed (naming the option)
   */
  public ArgoWorkflowInjector(
      List<String> templates,
      String vineyardCluster,
      String mountPath,
      String dag,
      List<String> tasks)
      throws InjectionException {
    this.templates = List.copyOf(templates);
    this.tasks = List.copyOf(tasks);
    this.mountPath = Objects.requireNonNull(mountPath, "mountPath");
    this.dag = Objects.requireNonNull(dag, "dag");
    this.cluster = storageClassPrefix(Objects.requireNonNull(vineyardCluster, "vineyardCluster"));
    if (this.templates.isEmpty()) {
      throw new InjectionException("--templates: name at least one template to inject");
    }
    if (!mountPath.startsWith("/")) {
      throw new InjectionException(
          "--mount-path: '" + mountPath + "' is not an absolute path (for example /vineyard/data)");
    }
    if (dag.isEmpty()) {
      throw new InjectionException("--dag: name the DAG template whose tasks run the templates");
    }
  }

  /** The storage class of the cluster, {@code ns.name.csi}, from {@code ns/name}. */
  private static String storageClassPrefix(String cluster) throws InjectionException {
    String[] parts = cluster.split("/", -1);
    if (parts.length != 2
        || !DNS_LABEL.matcher(parts[0]).matches()
        || !DNS_LABEL.matcher(parts[1]).matches()) {
      throw new InjectionException(
          "--vineyard-cluster: '"
              + cluster
              + "' is not of the form namespace/name (for example vineyard-system/vineyardd-sample)");
    }
    return parts[0] + "." + parts[1];
  }

  /** The storage class the injected PVC names, {@code <namespace>.<name>.csi}. */
  public String storageClass() {
    return cluster + ".csi";
  }

  /**
   * Injects the vineyard volume into a workflow.
   *
   * @param workflow the parsed workflow document (not changed)
   * @return the injected workflow, a new tree
   * @throws InjectionException when the document is not an Argo workflow or lacks what the options
   *     name
   */
  public ObjectNode inject(JsonNode workflow) throws InjectionException {
    if (!(workflow instanceof ObjectNode document)) {
      throw new InjectionException("the file is not a YAML mapping, so not an Argo Workflow");
    }
    String kind = document.path("kind").asText("");
    if (!KINDS.contains(kind)
        || !document.path("apiVersion").asText("").startsWith("argoproj.io/")) {
      throw new InjectionException(
          "the file is not an Argo Workflow (apiVersion '"
              + document.path("apiVersion").asText("")
              + "', kind '"
              + kind
              + "'; expected argoproj.io/v1alpha1 Workflow)");
    }
    ObjectNode result = document.deepCopy();
    if (!(result.path("spec").path("templates") instanceof ArrayNode all)) {
      throw new InjectionException("the workflow has no spec.templates list");
    }
    List<ObjectNode> chosen = chosenTemplates(all);
    ObjectNode dagTemplate = dagTemplate(all);
    ArrayNode dagTasks = (ArrayNode) dagTemplate.path("dag").path("tasks");
    List<ObjectNode> chosenTasks = chosenTasks(dagTasks);

    for (ObjectNode template : chosen) {
      addVolume(template);
    }
    for (ObjectNode task : chosenTasks) {
      addArgument(task);
    }
    ObjectNode createTask = dagTasks.addObject();
    createTask.put("name", NAME);
    createTask.put("template", NAME);
    all.add(resourceTemplate());
    return result;
  }

  private List<ObjectNode> chosenTemplates(ArrayNode all) throws InjectionException {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode template : all) {
      names.add(template.path("name").asText(""));
    }
    if (names.contains(NAME)) {
      throw new InjectionException(
          "the workflow already has a template named '" + NAME + "': injected already?");
    }
    List<ObjectNode> chosen = new ArrayList<>();
    for (String name : templates) {
      ObjectNode template = find(all, name);
      if (template == null) {
        throw new InjectionException(
            "--templates: no template named '" + name + "' in the workflow (it has " + names + ")");
      }
      if (!(template.path("container") instanceof ObjectNode)
          && !(template.path("script") instanceof ObjectNode)) {
        throw new InjectionException(
            "--templates: template '"
                + name
                + "' has no container or script to mount the vineyard volume in");
      }
      if (!chosen.contains(template)) {
        chosen.add(template);
      }
    }
    return chosen;
  }

  private ObjectNode dagTemplate(ArrayNode all) throws InjectionException {
    ObjectNode template = find(all, dag);
    if (template == null) {
      throw new InjectionException("--dag: no template named '" + dag + "' in the workflow");
    }
    if (!(template.path("dag").path("tasks") instanceof ArrayNode)) {
      throw new InjectionException("--dag: template '" + dag + "' is not a DAG with tasks");
    }
    return template;
  }

  /**
   * The chosen tasks and every task that runs a chosen template (it must pass the template's new
   * input parameter, or Argo refuses the workflow), in the DAG's order.
   */
  private List<ObjectNode> chosenTasks(ArrayNode dagTasks) throws InjectionException {
    for (String name : tasks) {
      if (find(dagTasks, name) == null) {
        throw new InjectionException(
            "--tasks: no task named '" + name + "' in the DAG '" + dag + "'");
      }
    }
    List<ObjectNode> chosen = new ArrayList<>();
    for (JsonNode task : dagTasks) {
      if (task instanceof ObjectNode object
          && (tasks.contains(task.path("name").asText(""))
              || templates.contains(task.path("template").asText("")))) {
        chosen.add(object);
      }
    }
    return chosen;
  }

  private static ObjectNode find(ArrayNode list, String name) {
    for (JsonNode element : list) {
      if (element instanceof ObjectNode object && name.equals(element.path("name").asText(null))) {
        return object;
      }
    }
    return null;
  }

  private void addVolume(ObjectNode template) {
    ObjectNode volume = template.withArrayProperty("volumes").addObject();
    volume.put("name", NAME);
    volume
        .putObject("persistentVolumeClaim")
        .put("claimName", "{{inputs.parameters." + PARAMETER + "}}");
    ObjectNode container =
        template.path("container") instanceof ObjectNode c
            ? c
            : (ObjectNode) template.get("script");
    container
        .withArrayProperty("volumeMounts")
        .addObject()
        .put("name", NAME)
        .put("mountPath", mountPath);
    template
        .withObjectProperty("inputs")
        .withArrayProperty("parameters")
        .addObject()
        .put("name", PARAMETER);
  }

  private static void addArgument(ObjectNode task) {
    if (task.hasNonNull("depends")) { // Argo allows depends or dependencies, not both
      task.put("depends", "(" + task.get("depends").asText() + ") && " + NAME);
    } else {
      task.withArrayProperty("dependencies").add(NAME);
    }
    task.withObjectProperty("arguments")
        .withArrayProperty("parameters")
        .addObject()
        .put("name", PARAMETER)
        .put("value", "{{tasks." + NAME + ".outputs.parameters." + PARAMETER + "}}");
  }

  private ObjectNode resourceTemplate() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode template = json.objectNode().put("name", NAME);
    template
        .putObject("resource")
        .put("action", "create")
        .put("setOwnerReference", true)
        .put(
            "manifest",
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: '{{workflow.name}}-vineyard-objects-pvc'
            spec:
              accessModes:
              - ReadWriteMany
              resources:
                requests:
                  storage: 1Mi
              storageClassName: %s
            """
                .formatted(storageClass()));
    ObjectNode output = template.putObject("outputs").putArray("parameters").addObject();
    output.put("name", PARAMETER);
    output.putObject("valueFrom").put("jsonPath", "{.metadata.name}");
    return template;
  }
}
