// The page's logic: pick a model, take an image (file, drop or paste), POST it to /predictions/{model} with
// explain=gradcam when the model allows, and show the top 5 as bars, the time taken and the Grad-CAM overlay.
"use strict";

const models = {};
const $ = (id) => document.getElementById(id);

async function loadModels() {
  const response = await fetch("models");
  const body = await response.json();
  for (const m of body.models) {
    models[m.modelName] = m;
    const option = document.createElement("option");
    option.value = m.modelName;
    option.textContent = m.modelName + " — " + m.description;
    $("model").appendChild(option);
  }
}

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

// The model sees the center crop of the image resized to 256 on its shorter side: 224/256 of that side.
function drawCrop(image) {
  const side = Math.min(image.naturalWidth, image.naturalHeight) * 224 / 256;
  const x = (image.naturalWidth - side) / 2, y = (image.naturalHeight - side) / 2;
  const canvas = $("image");
  canvas.getContext("2d").drawImage(image, x, y, side, side, 0, 0, canvas.width, canvas.height);
}

function showTop(predictions) {
  const top = $("top");
  top.replaceChildren();
  for (const p of predictions) {
    const row = document.createElement("div");
    row.className = "row";
    const label = document.createElement("div");
    label.className = "label";
    const name = document.createElement("span");
    name.className = "class-name";
    name.textContent = p.className;
    const value = document.createElement("span");
    value.className = "probability";
    value.textContent = (100 * p.probability).toFixed(1) + "%";
    label.append(name, value);
    const track = document.createElement("div");
    track.className = "track";
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = (100 * p.probability).toFixed(1) + "%";
    track.appendChild(bar);
    row.append(label, track);
    top.appendChild(row);
  }
}

function showOverlay() {
  const overlay = $("overlay");
  overlay.hidden = !$("overlay-toggle").checked || !overlay.getAttribute("src");
}

async function classify(file) {
  if (!file || !file.type.startsWith("image/")) {
    status("That is not an image.", true);
    return;
  }
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.onload = () => drawCrop(image);
  image.src = url;
  const model = $("model").value;
  const explain = models[model] && models[model].explainable;
  status("Classifying with " + model + "…");
  $("overlay").removeAttribute("src");
  showOverlay();
  const started = performance.now();
  try {
    const response = await fetch("predictions/" + encodeURIComponent(model) + "?topk=5"
        + (explain ? "&explain=gradcam" : ""), { method: "POST", body: file });
    const body = await response.json();
    const millis = performance.now() - started;
    if (!response.ok) {
      status("Error " + response.status + ": " + body.error, true);
      return;
    }
    const predictions = explain ? body.predictions : body;
    showTop(predictions);
    $("time").textContent = "Took " + millis.toFixed(0) + " ms" + (explain ? " (with Grad-CAM)" : "") + ".";
    if (explain) {
      $("overlay").src = body.explanation.png;
    }
    showOverlay();
    status(file.name ? file.name : "Pasted image");
  } catch (e) {
    status("Request failed: " + e, true);
  }
}

$("file").addEventListener("change", (e) => classify(e.target.files[0]));
$("overlay-toggle").addEventListener("change", showOverlay);
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  classify(e.dataTransfer.files[0]);
});
document.addEventListener("paste", (e) => {
  for (const item of e.clipboardData.items) {
    if (item.type.startsWith("image/")) {
      classify(item.getAsFile());
      return;
    }
  }
});
loadModels().catch((e) => status("Cannot list the models: " + e, true));
