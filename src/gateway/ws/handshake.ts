import { wireRefusal } from "../../errors/index.js";
import { PROTOCOL_VERSION, type ConnectParams, type WireError } from "../protocol/frames.js";

/** Result of checking the non-auth parts of `connect`. */
export type HandshakeCheck =
  { readonly ok: true } | { readonly ok: false; readonly error: WireError; readonly closeCode: 1002 | 1008 };

/**
 * Protocol range and role checks of the handshake (reference §3.3): the client's
 * `[minProtocol, maxProtocol]` must contain 4 (nodes may use 3), else `protocol mismatch` and close
 * 1002; an unknown role closes 1008.
 */
export function checkHandshake(p: ConnectParams): HandshakeCheck {
  const role = p.role ?? "operator";
  if (role !== "operator" && role !== "node") {
    return {
      ok: false,
      closeCode: 1008,
      error: wireRefusal("INVALID_ROLE", "invalid role", { role: role.slice(0, 32) }),
    };
  }
  const covers = (v: number) => p.minProtocol <= v && v <= p.maxProtocol;
  if (!covers(PROTOCOL_VERSION) && !(role === "node" && covers(3))) {
    return {
      ok: false,
      closeCode: 1002,
      error: wireRefusal("PROTOCOL_MISMATCH", "protocol mismatch", {
        clientMinProtocol: p.minProtocol,
        clientMaxProtocol: p.maxProtocol,
        expectedProtocol: PROTOCOL_VERSION,
        minimumProbeProtocol: 3,
      }),
    };
  }
  return { ok: true };
}

/** The error sent when the first frame is not a `connect` request. */
export const FIRST_FRAME_NOT_CONNECT: WireError = wireRefusal(
  "HANDSHAKE_REQUIRED",
  "invalid handshake: first request must be connect",
);
