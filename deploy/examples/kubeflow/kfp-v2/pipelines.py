#!/usr/bin/env python3
"""The example's two Kubeflow Pipelines for KFP v2 (kfp 2 with kfp-kubernetes), compiled to the
v2 pipeline IR:

  pipeline.yaml                 preprocess -> train -> test, the data passed as pickles on the
                                benchmark-data PVC at /data (prepare-data.yaml makes it);
  pipeline-with-vineyard.yaml   CreatePVC of the vineyard CSI driver's storage class first,
                                mounted at /vineyard/data in every step with --with_vineyard,
                                and DeletePVC after the test step.

Usage: python pipelines.py [OUT_DIR]   (default: this file's directory). The SDK pins are the
root pom's python.kfp.v2.version and python.kfp-kubernetes.version; deploy's
KfpPipelinesCompileIT compiles this file and fails when the checked-in YAML differs.

KFP v2 cannot run a step privileged, so the steps cannot drop the page cache: they evict their
input files instead (common.py's fallback), which makes the file reads cold all the same.
Caching is off: a cached preprocess would leave train a fresh, empty vineyard volume, and
timings of cached steps mean nothing.
"""

import os
import sys

from kfp import compiler, dsl, kubernetes

# The step image (Makefile: make docker-build push-images REGISTRY=...); KFP v2 wants it fixed
# at compile time.
IMAGE = "localhost:5001/cellar-pipeline-steps"
# The tutorial's sizes are 4000, 5000 and 6000 (14.7, 18.4 and 22.1 GB frames).
DEFAULT_MULTIPLIER = 4000

# The StorageClass `vineyardctl deploy csidriver --clusters vineyard-system/vineyardd-sample`
# creates: <namespace>.<name>.csi of the vineyard cluster.
VINEYARD_STORAGE_CLASS = "vineyard-system.vineyardd-sample.csi"
VINEYARD_MOUNT = "/vineyard/data"


@dsl.container_component
def preprocess(data_multiplier: int, with_vineyard: bool):
    return dsl.ContainerSpec(
        image=IMAGE,
        command=["python3", "/steps/preprocess.py"],
        args=[f"--data_multiplier={data_multiplier}", f"--with_vineyard={with_vineyard}"],
    )


@dsl.container_component
def train(with_vineyard: bool):
    return dsl.ContainerSpec(
        image=IMAGE,
        command=["python3", "/steps/train.py"],
        args=[f"--with_vineyard={with_vineyard}"],
    )


@dsl.container_component
def test(with_vineyard: bool):
    return dsl.ContainerSpec(
        image=IMAGE,
        command=["python3", "/steps/test.py"],
        args=[f"--with_vineyard={with_vineyard}"],
    )


def mount(task, vineyard_pvc):
    kubernetes.mount_pvc(task, pvc_name="benchmark-data", mount_path="/data")
    if vineyard_pvc is not None:
        kubernetes.mount_pvc(task, pvc_name=vineyard_pvc, mount_path=VINEYARD_MOUNT)
    kubernetes.set_image_pull_policy(task, "Always")
    task.set_caching_options(False)
    return task


def make(with_vineyard):
    name = "machine-learning-pipeline" + ("-with-vineyard" if with_vineyard else "")

    @dsl.pipeline(name=name,
                  description="The vineyard CSI driver example: trains and tests a regression "
                              "model on a generated frame.")
    def pipeline(data_multiplier: int = DEFAULT_MULTIPLIER):
        vineyard_pvc = None
        create = None
        if with_vineyard:
            # a PVC per run, named <run's workflow name>-vineyard-objects
            create = kubernetes.CreatePVC(
                pvc_name_suffix="-vineyard-objects",
                access_modes=["ReadWriteMany"],
                size="1Mi",  # not storage: a handle to the vineyard cluster, but it must be set
                storage_class_name=VINEYARD_STORAGE_CLASS,
            )
            create.set_caching_options(False)
            vineyard_pvc = create.outputs["name"]
        first = mount(preprocess(data_multiplier=data_multiplier, with_vineyard=with_vineyard),
                      vineyard_pvc)
        if create is not None:
            first.after(create)
        second = mount(train(with_vineyard=with_vineyard), vineyard_pvc).after(first)
        third = mount(test(with_vineyard=with_vineyard), vineyard_pvc).after(second)
        if with_vineyard:
            delete = kubernetes.DeletePVC(pvc_name=vineyard_pvc).after(third)
            delete.set_caching_options(False)

    return pipeline


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    compiler.Compiler().compile(make(False), os.path.join(out, "pipeline.yaml"))
    compiler.Compiler().compile(make(True), os.path.join(out, "pipeline-with-vineyard.yaml"))


if __name__ == "__main__":
    main()
