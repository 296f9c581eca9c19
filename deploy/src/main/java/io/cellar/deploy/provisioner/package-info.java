/**
 * Dynamic provisioning built into the driver's controller role (what external-provisioner does,
 * without its image): {@link io.cellar.deploy.provisioner.Provisioner} watches claims of the
 * driver's StorageClasses and released volumes, {@link io.cellar.deploy.provisioner.ClaimVolumes}
 * turns a claim into a CreateVolume request and the answer into a PersistentVolume, {@link
 * io.cellar.deploy.provisioner.DriverClient} calls the driver over its CSI socket, and {@link
 * io.cellar.deploy.provisioner.ProvisionerElection} runs one provisioner per cluster under a Lease.
 */
package io.cellar.deploy.provisioner;
