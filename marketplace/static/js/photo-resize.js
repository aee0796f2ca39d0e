// The new-product photo input: a photo over the upload limit (data-max-bytes) or larger than
// the server keeps (data-max-side) is redrawn in the browser at that side and re-encoded as
// JPEG under the limit, and put back in the input before the form is sent. A 12 MP phone photo
// of 6 MB leaves as about 0.5 MB: faster on a slow connection, and never refused for its size.
// Without this script (or a browser that cannot decode the file) the server checks the
// original and says next to the field what is wrong.
(function () {
  "use strict";
  var input = document.querySelector("input[data-photo-input]");
  if (!input || !window.DataTransfer || !window.createImageBitmap || !HTMLCanvasElement.prototype.toBlob) return;
  var form = input.form;
  var status = form.querySelector("[data-photo-status]");
  var maxBytes = parseInt(input.dataset.maxBytes, 10);
  var maxSide = parseInt(input.dataset.maxSide, 10);
  var lang = document.documentElement.lang || "id";
  // The messages come translated from the page: data-busy, and data-shrunk with {file},
  // {from}, {to} and {size} in it.
  var busyText = status ? status.dataset.busy : "";
  var shrunkText = status ? status.dataset.shrunk : "";
  var busy = null;  // the running shrink, a Promise
  var submitter = null;

  function mb(bytes) {
    return (bytes / 1048576).toLocaleString(lang, { maximumFractionDigits: 1 }) + " MB";
  }

  function encode(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // One file: the original when it is within both limits, else a JPEG of at most maxSide.
  function shrink(file) {
    if (!/^image\//.test(file.type)) return Promise.resolve({ file: file });
    return createImageBitmap(file).then(function (bitmap) {
      var side = Math.max(bitmap.width, bitmap.height);
      if (file.size <= maxBytes && side <= maxSide) { bitmap.close(); return { file: file }; }
      var scale = Math.min(1, maxSide / side);
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // a transparent PNG gets a white background, as JPEG has no alpha
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      var qualities = [0.85, 0.75, 0.6, 0.45];
      function attempt(i) {
        return encode(canvas, qualities[i]).then(function (blob) {
          if (blob && blob.size > maxBytes && i + 1 < qualities.length) return attempt(i + 1);
          if (!blob || blob.size > maxBytes) return { file: file };
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          return { file: new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }),
                   from: file.size, width: canvas.width, height: canvas.height };
        });
      }
      return attempt(0);
    }).catch(function () { return { file: file }; });  // not decodable here: the server says why
  }

  function describe(results) {
    return results.filter(function (r) { return r.from; }).map(function (r) {
      return shrunkText.replace("{file}", r.file.name).replace("{from}", mb(r.from))
        .replace("{to}", mb(r.file.size)).replace("{size}", r.width + "×" + r.height);
    }).join("; ");
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { if (status) status.textContent = ""; return; }
    if (status) status.textContent = busyText;
    var run = busy = Promise.all(files.map(shrink)).then(function (results) {
      if (run !== busy) return;  // the seller chose other files meanwhile
      if (results.some(function (r) { return r.from; })) {
        var dt = new DataTransfer();
        results.forEach(function (r) { dt.items.add(r.file); });
        input.files = dt.files;
      }
      if (status) status.textContent = describe(results);
      busy = null;
    });
  });

  // A submit while photos are still being prepared waits for them, then goes on.
  form.addEventListener("submit", function (event) {
    if (!busy) return;
    event.preventDefault();
    submitter = event.submitter || null;
    busy.then(function () { form.requestSubmit ? form.requestSubmit(submitter) : form.submit(); });
  });
})();
