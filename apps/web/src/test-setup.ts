import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// What /config.js sets in the real page.
window.__FOLIO_CONFIG__ = { apiUrl: "http://api.test" };

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

// jsdom has <dialog> but not its modal methods (https://github.com/jsdom/jsdom/issues/3294).
HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
  this.setAttribute("open", "");
};
HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
  this.removeAttribute("open");
};
