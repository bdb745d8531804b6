export { ERROR_CATALOGUE, type ErrorCode, type WireErrorCode } from "./catalogue.js";
export { HoldfastError, isHoldfastError, errorMessage } from "./holdfast-error.js";
