export { ERROR_CATALOGUE, wireCodeOf, type ErrorCode, type CatalogueEntry } from "./catalogue.js";
export {
  WIRE_ERRORS,
  WIRE_DETAIL_CODES,
  NODE_RESULT_CODES,
  wireRefusal,
  type WireErrorCode,
  type WireDetailCode,
  type NodeResultCode,
  type WireDetailEntry,
  type CataloguedWireError,
} from "./wire.js";
export { HoldfastError, isHoldfastError, errorMessage } from "./holdfast-error.js";
