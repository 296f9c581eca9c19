#!/usr/bin/env python3
"""Strict parse of Argo Workflow YAML files into Argo's own models, as generated from Argo's
OpenAPI schema by the hera-workflows package (hera.workflows.models, pydantic 2).

Usage: validate_argo_workflow.py FILE...   Prints 'ok FILE: templates ...' per file; exits 1
at the first failure with pydantic's message (each wrong field with its path).

hera's models ignore unknown fields, accept the Python attribute names (service_account_name)
beside the JSON ones (serviceAccountName) and coerce values ("2" for an integer). Before the
models are imported, this script changes their common base's configuration so that every model
forbids unknown fields, accepts only the JSON names, and validates strictly: the document is
validated as JSON (what the Argo server receives), where an integer must be a number and a
boolean true or false. So a misspelt or misplaced key fails, and so does a wrong type. The
manifest of a resource template (a PersistentVolumeClaim here) is parsed the same way.
"""

import json
import sys

import yaml
from hera.shared import _pydantic as hera_pydantic

# Every generated model is a subclass of APIBaseModel, and a subclass takes its base's
# configuration when it is created: change it before hera.workflows.models creates them.
hera_pydantic.APIBaseModel.model_config.update(extra="forbid", populate_by_name=False, strict=True)

from hera.workflows.models import PersistentVolumeClaim, Workflow  # noqa: E402  (on purpose)

# The manifests that resource templates create, by kind, checked the same way.
MANIFESTS = {"PersistentVolumeClaim": PersistentVolumeClaim}


def parse(model, doc, where):
    try:
        return model.model_validate_json(json.dumps(doc))
    except ValueError as e:  # pydantic's ValidationError: reported with where it was
        sys.exit(f"{where}: {e}")


def validate(path):
    with open(path) as f:
        documents = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(documents) != 1:
        sys.exit(f"{path}: expected one YAML document, found {len(documents)}")
    doc = documents[0]
    if doc.get("apiVersion") != "argoproj.io/v1alpha1" or doc.get("kind") != "Workflow":
        sys.exit(f"{path}: not an argoproj.io/v1alpha1 Workflow")
    workflow = parse(Workflow, doc, path)
    for template in workflow.spec.templates:
        if template.resource is not None and template.resource.manifest:
            manifest = yaml.safe_load(template.resource.manifest)
            kind = manifest.get("kind")
            if kind not in MANIFESTS:
                sys.exit(f"{path}: template {template.name} creates a {kind}, which this check "
                         "does not know")
            parse(MANIFESTS[kind], manifest, f"{path}: template {template.name}'s manifest")
    names = [t.name for t in workflow.spec.templates]
    print(f"ok {path}: templates {', '.join(names)}")


def main(paths):
    if not paths:
        sys.exit(__doc__)
    for path in paths:
        validate(path)


if __name__ == "__main__":
    main(sys.argv[1:])
