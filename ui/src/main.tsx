import { render } from "preact";
import { Controller } from "./controller.js";
import { App } from "./views/app.js";

// holdfast Control UI. Talks only to the gateway that served this page (location.host): the gateway URL
// is never taken from a link or query parameter, and the token is never put in a URL.
const controller = new Controller(window);
const root = document.getElementById("app");
if (root) render(<App controller={controller} />, root);
