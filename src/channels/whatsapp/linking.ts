/** What `holdfast channels login|logout --channel whatsapp` uses (loaded on demand: it imports Baileys). */
export { linkWhatsApp, unlinkWhatsApp, LOGIN_TIMEOUT_MS } from "./login.js";
export { whatsappAuthDir, isLinked } from "./auth-store.js";
export { baileysConnector } from "./socket.js";
export { loginHint } from "./close.js";
