import { afterEach, describe, expect, it } from "vitest";
import { CLOSE_MESSAGE, chatUrl, mountWidget } from "../../src/widget/loader";

const ORIGIN = "https://chat.example.jp";

function parts() {
  const host = document.getElementById("mnp-chat-widget");
  const root = host?.shadowRoot;
  if (!root) throw new Error("widget not mounted");
  const launcher = root.querySelector("button") as HTMLButtonElement;
  const panel = root.querySelector(".panel") as HTMLDivElement;
  return { launcher, panel, frame: () => root.querySelector("iframe") };
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("mountWidget", () => {
  it("adds a labelled launcher and loads the chat only when first opened", () => {
    mountWidget({ origin: ORIGIN });
    const { launcher, panel, frame } = parts();
    expect(launcher.textContent).toBe("チャットで相談");
    expect(launcher.getAttribute("aria-expanded")).toBe("false");
    expect(panel.hidden).toBe(true);
    expect(frame()).toBeNull();

    launcher.click();

    expect(launcher.getAttribute("aria-expanded")).toBe("true");
    expect(panel.hidden).toBe(false);
    expect(frame()?.getAttribute("src")).toBe(`${ORIGIN}/?embed=1`);
    expect(frame()?.getAttribute("title")).toBeTruthy();
  });

  it("closes on Escape and gives focus back to the launcher", () => {
    const widget = mountWidget({ origin: ORIGIN, label: "相談する", position: "left" });
    const { launcher, panel } = parts();
    expect(launcher.textContent).toBe("相談する");
    expect(launcher.classList.contains("left")).toBe(true);
    widget.open();

    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));

    expect(widget.isOpen).toBe(false);
    expect(panel.hidden).toBe(true);
    expect(launcher.getRootNode() instanceof ShadowRoot).toBe(true);
    expect((launcher.getRootNode() as ShadowRoot).activeElement).toBe(launcher);
  });

  it.each([
    ["the chat's own close message", ORIGIN, true, { type: CLOSE_MESSAGE }, false],
    ["a message from another origin", "https://evil.example", true, { type: CLOSE_MESSAGE }, true],
    ["a message from another window", ORIGIN, false, { type: CLOSE_MESSAGE }, true],
    ["an unrelated message", ORIGIN, true, { type: "resize" }, true],
  ])("handles %s", (_name, origin, fromFrame, data, staysOpen) => {
    const widget = mountWidget({ origin: ORIGIN });
    widget.open();
    const source = fromFrame ? parts().frame()?.contentWindow : window;
    window.dispatchEvent(new MessageEvent("message", { data, origin, source: source ?? null }));
    expect(widget.isOpen).toBe(staysOpen);
  });
});

describe("chatUrl", () => {
  it.each([
    ["https://chat.example.jp", "https://chat.example.jp/?embed=1"],
    ["https://chat.example.jp/", "https://chat.example.jp/?embed=1"],
  ])("points %s at the embedded chat", (origin, expected) => {
    expect(chatUrl(origin)).toBe(expected);
  });
});
