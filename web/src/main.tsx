import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { startFrameBridge } from "./embed/parent.js";
import { exchangeLinkCode, takeLinkCode } from "./session/exchange.js";
import "./styles.css";

// Once per page load, outside React (whose StrictMode runs effects twice in development): a
// second exchange of the same code would be refused and end the session the first one opened.
const code = takeLinkCode();
const linkExchange = code === undefined ? undefined : exchangeLinkCode(code);

const root = document.getElementById("root")!;
startFrameBridge(root);
createRoot(root).render(
  <StrictMode>
    <App linkExchange={linkExchange} />
  </StrictMode>,
);
