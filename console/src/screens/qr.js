// QR codes: plain, artistic (over a picture) and animated (over a GIF), shown and downloadable.
import { h, replace, field, download } from "../dom.js";
import { detailText } from "../lib/http.js";

const LEVELS = ["H", "Q", "M", "L"];

export async function qrScreen({ api, root }) {
  const kind = h("select#qr-kind", [["simple", "Plain"], ["artistic", "Artistic (picture behind)"], ["animated", "Animated (GIF behind)"]]
    .map(([value, label]) => h("option", { value }, label)));
  const words = h("input#qr-words", { value: "https://example.com", required: true });
  // Empty: the smallest version the content fits in; a smaller one than the content needs is raised.
  const version = h("input.narrow#qr-version", { type: "number", min: 1, max: 40, placeholder: "auto" });
  const level = h("select", LEVELS.map((l) => h("option", { value: l }, l)));
  const contrast = h("input.narrow", { type: "number", min: 0.1, max: 3, step: 0.1, value: 1 });
  const brightness = h("input.narrow", { type: "number", min: 0.1, max: 3, step: 0.1, value: 1 });
  const colorized = h("input", { type: "checkbox" });
  const picture = h("input#qr-picture", { type: "file", accept: "image/png,image/jpeg,image/bmp,image/gif" });
  const pictureField = field("Picture", picture, "PNG, JPG or BMP; a GIF for animated codes");
  const colorField = h("label.check", colorized, " colorized");
  const output = h("div.qr-output");
  const syncKind = () => {
    const plain = kind.value === "simple";
    pictureField.hidden = plain;
    colorField.hidden = plain;
    picture.accept = kind.value === "animated" ? "image/gif" : "image/png,image/jpeg,image/bmp";
  };
  kind.addEventListener("change", syncKind);
  syncKind();

  async function generate(event) {
    event.preventDefault();
    replace(output, h("div.state.loading", h("span.spinner"), "Generating…"));
    try {
      let blob;
      if (kind.value === "simple") {
        blob = await api.blob("POST", "/qr/simple", { words: words.value, level: level.value,
          ...(version.value ? { version: Number(version.value) } : {}),
          contrast: Number(contrast.value), brightness: Number(brightness.value) }, "image/png");
      } else {
        if (!picture.files.length) throw new Error(kind.value === "animated" ? "choose a GIF" : "choose a picture");
        const form = new FormData();
        form.append("words", words.value);
        form.append("picture", picture.files[0]);
        if (version.value) form.append("version", version.value);
        form.append("level", level.value);
        form.append("colorized", colorized.checked ? "true" : "false");
        form.append("contrast", contrast.value);
        form.append("brightness", brightness.value);
        blob = await api.blob("POST", `/qr/${kind.value}`, form, kind.value === "animated" ? "image/gif" : "image/png");
      }
      const extension = blob.type === "image/gif" ? "gif" : "png";
      const name = `qr-${kind.value}.${extension}`;
      replace(output, h("img#qr-image", { src: URL.createObjectURL(blob), alt: `QR code for ${words.value}` }),
        h("p", h("button", { onclick: () => download(blob, name) }, `Download ${name}`)));
    } catch (error) {
      replace(output, h("p.bad", detailText(error.detail ?? error.message)));
    }
  }
  replace(root, h("h1", "QR codes"),
    h("div.two",
      h("form.card#qr-form", { onsubmit: generate },
        field("Kind", kind), field("Content", words),
        h("div.row", field("Version", version), field("Error correction", level), field("Contrast", contrast), field("Brightness", brightness)),
        pictureField, colorField, h("button.primary", { type: "submit" }, "Generate")),
      h("div.card", h("h2", "Result"), output)));
}
