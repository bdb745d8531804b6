export { listSecretSlots, type SecretSlot } from "./secret-paths.js";
export { SecretsSnapshot, resolveSecrets, envRefResolver, type RefResolver } from "./resolve.js";
