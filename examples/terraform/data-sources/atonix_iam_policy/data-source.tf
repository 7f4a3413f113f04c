# A managed policy (or any policy) by name: AdministratorAccess, ReadOnlyAccess, OwnerFullAccess,
# <Service>FullAccess and <Service>ReadOnlyAccess are seeded on every installation.
data "atonix_iam_policy" "compute_read" {
  name = "ComputeReadOnlyAccess"
}
