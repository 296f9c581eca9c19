package io.cellar.testing.k8s;

import io.cellar.testing.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real Kubernetes control plane on loopback: etcd 3.6, kube-apiserver (RBAC, token auth, a
 * self-signed serving certificate), kube-controller-manager, kube-scheduler and kwok playing N fake
 * nodes. Pods are scheduled onto the fake nodes and turn Running/Ready there, but no container
 * runs. Each plane has its own work directory (data, certificates, logs, kubeconfig) and its own
 * free ports, so planes in parallel JVMs do not meet.
 *
 * <pre>{@code
 * try (KubeControlPlane k8s = KubeControlPlane.builder().nodes(3).start()) {
 *   k8s.kubectl().apply(manifest);
 *   k8s.kubectl("rollout", "status", "deployment/web", "--timeout=60s");
 * }
 * }</pre>
 *
 * <p>{@link KubeControlPlane.Builder#start()} returns once the API server answers {@code /readyz},
 * every fake node is Ready and the {@code default} ServiceAccount exists (so pods are admitted).
 * {@link #close()} stops every process in parallel (SIGTERM, then SIGKILL), removes the work
 * directory and fails if anything survives. A JVM shutdown hook does the same if the plane is never
 * closed.
 *
 * <p>Thread safety: the accessors and the kubectl methods are safe from any thread; {@link
 * #close()} is idempotent and may race with nothing but itself.
 */
public final class KubeControlPlane implements AutoCloseable {
  private static final int TAIL_LINES = 40;

  private final KubeTools tools;
  private final PlaneLayout layout;
  private final ComponentCommands commands;
  private final Duration stopGrace;
  private final long startDeadline;
  private final String nodeManifest;
  private final String adminToken;
  private final List<String> nodeNames;
  private final List<Credentials.Identity> identities;
  private final Kubectl admin;
  private final ProcessGroup processes = new ProcessGroup();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;
  private volatile Duration startupTime;
  private volatile Duration shutdownTime;

  private KubeControlPlane(KubeTools tools, PlaneLayout layout, Builder options) {
    this.tools = tools;
    this.layout = layout;
    this.stopGrace = options.stopGrace;
    this.startDeadline = System.nanoTime() + options.startTimeout.toNanos();
    int[] ports = FreePorts.next(3);
    this.commands =
        new ComponentCommands(
            tools,
            layout,
            ports[0],
            ports[1],
            options.apiServerPort > 0 ? options.apiServerPort : ports[2],
            options.serviceClusterIpRange,
            !options.identities.isEmpty());
    this.identities = List.copyOf(options.identities);
    this.adminToken = Credentials.newToken();
    this.nodeNames = FakeNodes.names(options.nodes);
    this.nodeManifest =
        FakeNodes.manifest(nodeNames, options.nodeCpu, options.nodeMemory, options.nodePods);
    this.admin =
        new Kubectl(
            tools.binary("kubectl"),
            layout.adminKubeconfig(),
            layout.kubectlCache(),
            layout.home());
    this.shutdownHook = new Thread(this::closeQuietly, "kube-control-plane-shutdown");
  }

  /** A builder with the defaults: one fake node, a two-minute start timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /** The admin kubeconfig file (the admin token, in {@code system:masters}). */
  public Path kubeconfig() {
    return layout.adminKubeconfig();
  }

  /** kubectl as the admin. */
  public Kubectl kubectl() {
    return admin;
  }

  /**
   * Runs kubectl as the admin.
   *
   * @param args the arguments, as on the command line
   * @return its stdout
   * @throws KubectlException if it exits non-zero; the message carries its stderr
   */
  public String kubectl(String... args) {
    return admin.run(args);
  }

  /**
   * kubectl acting with another bearer token (a ServiceAccount's, say), through a kubeconfig of its
   * own written into the work directory.
   *
   * @param name a name for the identity (used for the kubeconfig's file and user entry)
   * @param token the bearer token
   * @return a kubectl for that identity
   */
  public Kubectl kubectlAs(String name, String token) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("identity name must be [A-Za-z0-9._-]+: " + name);
    }
    Path file =
        Kubeconfig.write(
            layout.root().resolve(name + ".kubeconfig"),
            apiServerUrl(),
            caCertificate(),
            name,
            token);
    return new Kubectl(tools.binary("kubectl"), file, layout.kubectlCache(), layout.home());
  }

  /**
   * Mints a token for a ServiceAccount ({@code kubectl create token}), valid for an hour.
   *
   * @param namespace the ServiceAccount's namespace
   * @param serviceAccount its name
   * @return the bearer token
   */
  public String serviceAccountToken(String namespace, String serviceAccount) {
    return serviceAccountToken(namespace, serviceAccount, Duration.ofHours(1));
  }

  /**
   * Mints a token for a ServiceAccount ({@code kubectl create token}).
   *
   * @param namespace the ServiceAccount's namespace
   * @param serviceAccount its name
   * @param validity how long the token is valid (the API server may shorten it)
   * @return the bearer token
   */
  public String serviceAccountToken(String namespace, String serviceAccount, Duration validity) {
    return admin
        .run(
            "create",
            "token",
            serviceAccount,
            "--namespace=" + namespace,
            "--duration=" + validity.toSeconds() + "s")
        .strip();
  }

  /** The API server's URL, {@code https://127.0.0.1:PORT}. */
  public String apiServerUrl() {
    return commands.apiServerUrl();
  }

  /** The admin's bearer token (user {@code cellar-admin}, group {@code system:masters}). */
  public String adminToken() {
    return adminToken;
  }

  /** The PEM bundle that verifies the API server's certificate (its self-signed CA). */
  public Path caCertificate() {
    return layout.apiServerCert();
  }

  /** etcd's client URL, {@code http://127.0.0.1:PORT}. */
  public String etcdUrl() {
    return commands.etcdUrl();
  }

  /** The fake nodes' names, {@code kwok-node-0} first. */
  public List<String> nodeNames() {
    return nodeNames;
  }

  /** The work directory (removed by {@link #close()}). */
  public Path workDir() {
    return layout.root();
  }

  /** The process id of each component, by name ({@code etcd}, {@code kube-apiserver}, ...). */
  public Map<String, Long> pids() {
    return processes.pids();
  }

  /** Each component's log file, by name. Gone after {@link #close()}. */
  public Map<String, Path> logs() {
    return processes.logs();
  }

  /**
   * The last lines of every component's log, each under a header naming the component and whether
   * it still runs: what a failing test wants to see.
   *
   * @param lines lines per component
   * @return the tails
   */
  public String logTails(int lines) {
    return processes.tails(lines);
  }

  /** How long {@link Builder#start()} took once the tools were found (null while starting). */
  public Duration startupTime() {
    return startupTime;
  }

  /** How long {@link #close()} took (null before it). */
  public Duration shutdownTime() {
    return shutdownTime;
  }

  /**
   * Stops every component in parallel (SIGTERM, then SIGKILL after the stop grace), removes the
   * work directory and checks that no component process is left. Idempotent.
   *
   * @throws IllegalStateException if a process survived or the directory could not be removed
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long begin = System.nanoTime();
    List<RuntimeException> failures = new ArrayList<>(processes.stopAll(stopGrace));
    if (failures.isEmpty()) {
      try {
        layout.delete();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down (this is the hook itself)
    }
    shutdownTime = Duration.ofNanos(System.nanoTime() - begin);
    System.err.printf(
        "cellar k8s: control plane at %s stopped in %d ms%n",
        apiServerUrl(), shutdownTime.toMillis());
    if (!failures.isEmpty()) {
      IllegalStateException failure =
          new IllegalStateException(
              "the control plane did not shut down cleanly: " + failures.getFirst().getMessage());
      failures.forEach(failure::addSuppressed);
      throw failure;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("cellar k8s: " + e.getMessage());
    }
  }

  private void boot() throws InterruptedException {
    long begin = System.nanoTime();
    StringBuilder phases = new StringBuilder();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Credentials.makeServiceAccountKey(
        layout.serviceAccountKey(), layout.serviceAccountPublicKey(), layout.root());
    Credentials.writeTokenFile(layout.tokenFile(), adminToken, identities);
    Kubeconfig.write(
        layout.adminKubeconfig(),
        apiServerUrl(),
        caCertificate(),
        Credentials.ADMIN_USER,
        adminToken);
    mark(phases, "keys", begin);

    launch("etcd", commands.etcd());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create(etcdUrl() + "/health")).build();
    await(
        "etcd /health at " + etcdUrl(),
        () -> {
          HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
          return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")
              ? Optional.of(r.body())
              : Optional.empty();
        });
    mark(phases, "etcd healthy", begin);

    launch("kube-apiserver", commands.apiServer());
    ApiServerProbe probe = new ApiServerProbe(apiServerUrl(), caCertificate(), adminToken);
    await("kube-apiserver /readyz at " + apiServerUrl(), probe::readyz);
    mark(phases, "kube-apiserver ready", begin);

    launch("kube-controller-manager", commands.controllerManager());
    launch("kube-scheduler", commands.scheduler());
    if (!nodeNames.isEmpty()) {
      launch("kwok", commands.kwok());
      admin.apply(nodeManifest);
      await(
          "fake nodes " + nodeNames + " Ready",
          () ->
              FakeNodes.notReady(admin.json("get", "nodes"), nodeNames).isEmpty()
                  ? Optional.of(true)
                  : Optional.empty());
      mark(phases, "nodes Ready", begin);
    }
    // ServiceAccount admission refuses every pod until the controller-manager has made this
    await(
        "the default ServiceAccount in namespace default",
        () ->
            admin
                    .run("get", "serviceaccount", "default", "--ignore-not-found", "-o", "name")
                    .isBlank()
                ? Optional.empty()
                : Optional.of(true));
    startupTime = Duration.ofNanos(System.nanoTime() - begin);
    System.err.printf(
        "cellar k8s: control plane at %s with %d fake node(s) up in %d ms (%s; work dir %s)%n",
        apiServerUrl(), nodeNames.size(), startupTime.toMillis(), phases, layout.root());
  }

  private static void mark(StringBuilder phases, String phase, long begin) {
    phases
        .append(phases.isEmpty() ? "" : ", ")
        .append(phase)
        .append(" at ")
        .append((System.nanoTime() - begin) / 1_000_000)
        .append(" ms");
  }

  private void launch(String name, List<String> command) {
    processes.launch(name, command, layout);
  }

  private <T> T await(String what, Poll.Probe<T> probe) throws InterruptedException {
    long remaining = startDeadline - System.nanoTime();
    return Poll.until(what, Duration.ofNanos(Math.max(0, remaining)), probe, processes::firstDeath);
  }

  /**
   * How to start a {@link KubeControlPlane}. Not thread-safe; {@link #start()} may be called more
   * than once, each call starting a new plane.
   */
  public static final class Builder {
    private int nodes = 1;
    private Duration startTimeout = Duration.ofMinutes(2);
    private Duration stopGrace = Duration.ofSeconds(10);
    private String serviceClusterIpRange = "10.96.0.0/16";
    private Path workParent = Path.of(System.getProperty("java.io.tmpdir"));
    private KubeTools tools;
    private String nodeCpu = "32";
    private String nodeMemory = "256Gi";
    private int nodePods = 110;
    private int apiServerPort;
    private final List<Credentials.Identity> identities = new ArrayList<>();

    private Builder() {}

    /**
     * The API server's port on 127.0.0.1 (default 0: a free one). {@link KubeNode} uses 443, so
     * that the {@code kubernetes} Service's ClusterIP 127.0.0.1:443 reaches it without kube-proxy.
     *
     * @param port the port, or 0
     * @return this
     */
    public Builder apiServerPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("not a port: " + port);
      }
      this.apiServerPort = port;
      return this;
    }

    /**
     * Adds a kubelet's static-token identity ({@code system:node:NAME} in {@code system:nodes}) and
     * turns on what a real kubelet needs: the Node authorizer, the NodeRestriction admission
     * plugin, the kubelet dialled at its InternalIP.
     *
     * @param nodeName the node's name
     * @param token the kubelet's bearer token
     * @return this
     */
    Builder kubelet(String nodeName, String token) {
      identities.add(new Credentials.Identity("system:node:" + nodeName, "system:nodes", token));
      return this;
    }

    /**
     * How many fake nodes kwok plays (default 1; 0 for none, no kwok: a real kubelet joins, see
     * {@link KubeNode}).
     *
     * @param count at least 0
     * @return this
     */
    public Builder nodes(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("no negative node count: " + count);
      }
      this.nodes = count;
      return this;
    }

    /**
     * Allocatable resources of each fake node (default 32 cpu, 256Gi, 110 pods).
     *
     * @param cpu a quantity, "32"
     * @param memory a quantity, "256Gi"
     * @param pods pods per node
     * @return this
     */
    public Builder nodeResources(String cpu, String memory, int pods) {
      this.nodeCpu = cpu;
      this.nodeMemory = memory;
      this.nodePods = pods;
      return this;
    }

    /**
     * How long the start may take once the tools are there (default 2 minutes).
     *
     * @param timeout the deadline for etcd, the API server, the nodes and the ServiceAccount
     * @return this
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * How long each process gets between SIGTERM and SIGKILL on close (default 10 s).
     *
     * @param grace the grace period
     * @return this
     */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    /**
     * The Service IP range (default {@code 10.96.0.0/16}; with no kube-proxy no ClusterIP is
     * translated, so only objects, never traffic, should use it).
     *
     * @param cidr the range
     * @return this
     */
    public Builder serviceClusterIpRange(String cidr) {
      this.serviceClusterIpRange = cidr;
      return this;
    }

    /**
     * Where the work directory is created (default {@code java.io.tmpdir}).
     *
     * @param parent a directory
     * @return this
     */
    public Builder workParent(Path parent) {
      this.workParent = parent;
      return this;
    }

    /**
     * The binaries to use (default {@link KubeTools#locate()}).
     *
     * @param tools the tools
     * @return this
     */
    public Builder tools(KubeTools tools) {
      this.tools = tools;
      return this;
    }

    /**
     * Finds (or builds) the tools, then starts the plane and waits until it is usable.
     *
     * @return the running plane; close it
     * @throws IllegalStateException if the tools are missing or something does not come up in time;
     *     the message names what and carries the tail of every component's log
     */
    public KubeControlPlane start() {
      KubeTools found = tools != null ? tools : KubeTools.locate();
      KubeControlPlane plane = new KubeControlPlane(found, PlaneLayout.create(workParent), this);
      try {
        plane.boot();
        return plane;
      } catch (InterruptedException | RuntimeException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        String tails = plane.logTails(TAIL_LINES);
        IllegalStateException failure =
            new IllegalStateException(
                "the Kubernetes control plane did not start: " + e.getMessage() + "\n" + tails, e);
        try {
          plane.close();
        } catch (RuntimeException closing) {
          failure.addSuppressed(closing);
        }
        throw failure;
      }
    }
  }
}
