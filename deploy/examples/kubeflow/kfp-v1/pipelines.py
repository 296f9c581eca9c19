#!/usr/bin/env python3
"""The example's two Kubeflow Pipelines (KFP v1, kfp 1.8), compiled to Argo Workflows:

  pipeline.yaml                 preprocess -> train -> test, the data passed as pickles on the
                                benchmark-data PVC at /data (prepare-data.yaml makes it);
  pipeline-with-vineyard.yaml   the same, plus a PVC of the vineyard CSI driver's storage class
                                mounted at /vineyard/data in every step and --with_vineyard,
                                so x_train, x_test, y_train, y_test go through shared memory.

Usage: python pipelines.py [OUT_DIR]   (default: this file's directory). The SDK pin is the
root pom's python.kfp.v1.version; deploy's KfpPipelinesCompileIT compiles this file and fails
when the checked-in YAML differs from what it makes.

Every step runs privileged, for the page-cache drop before its reads (the upstream example's
compiled YAML was edited by hand for that; here the source says it), and caching is off: a
cached preprocess would hand train a fresh, empty vineyard volume, and timings of cached steps
mean nothing.
"""

import os
import sys

from kfp import compiler, dsl
from kubernetes.client import V1SecurityContext

# The step image (Makefile: make docker-build push-images REGISTRY=...).
IMAGE = "cellar-pipeline-steps"
DEFAULT_REGISTRY = "localhost:5001"
# The tutorial's sizes are 4000, 5000 and 6000 (14.7, 18.4 and 22.1 GB frames).
DEFAULT_MULTIPLIER = 4000

# The StorageClass `vineyardctl deploy csidriver --clusters vineyard-system/vineyardd-sample`
# creates: <namespace>.<name>.csi of the vineyard cluster.
VINEYARD_STORAGE_CLASS = "vineyard-system.vineyardd-sample.csi"
VINEYARD_MOUNT = "/vineyard/data"


def no_cache(op):
    op.execution_options.caching_strategy.max_cache_staleness = "P0D"


def step(name, script, registry, arguments, pvolumes):
    op = dsl.ContainerOp(
        name=name,
        image=f"{registry}/{IMAGE}",
        command=["python3", f"/steps/{script}"],
        arguments=arguments,
        pvolumes=pvolumes,
        container_kwargs={"image_pull_policy": "Always"},
    )
    op.container.set_security_context(V1SecurityContext(privileged=True))
    no_cache(op)
    return op


def make(with_vineyard):
    name = "Machine learning pipeline" + (" with vineyard" if with_vineyard else "")

    @dsl.pipeline(name=name,
                  description="The vineyard CSI driver example: trains and tests a regression "
                              "model on a generated frame.")
    def pipeline(data_multiplier: int = DEFAULT_MULTIPLIER, registry: str = DEFAULT_REGISTRY):
        volumes = {"/data": dsl.PipelineVolume(pvc="benchmark-data")}
        flags = []
        if with_vineyard:
            # a PVC per run, deleted with the workflow (owner reference). A resource op has no
            # caching options, and needs none: its name holds {{workflow.name}}, so no cache
            # key repeats, and neither do those of the steps that take that name as an input
            vineyard_objects = dsl.VolumeOp(
                name="vineyard-objects",
                resource_name="vineyard-objects-pvc",
                size="1Mi",  # not storage: a handle to the vineyard cluster, but it must be set
                storage_class=VINEYARD_STORAGE_CLASS,
                modes=dsl.VOLUME_MODE_RWM,
                set_owner_reference=True,
            )
            volumes[VINEYARD_MOUNT] = vineyard_objects.volume
            flags = ["--with_vineyard=true"]
        preprocess = step("Preprocess data", "preprocess.py", registry,
                          [f"--data_multiplier={data_multiplier}"] + flags, volumes)
        train = step("Train model", "train.py", registry, flags, preprocess.pvolumes)
        step("Test model", "test.py", registry, flags, train.pvolumes)

    return pipeline


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    compiler.Compiler().compile(make(False), os.path.join(out, "pipeline.yaml"))
    compiler.Compiler().compile(make(True), os.path.join(out, "pipeline-with-vineyard.yaml"))


if __name__ == "__main__":
    main()
