// The upload page (an Alpine component, CSP build): files picked or dropped are listed
// with thumbnails and checked here first (size, type); "Process all" sends each file in
// its own request to the JSON upload endpoint, for a progress bar and an error per file.
(function () {
  "use strict";

  var UPLOAD_URL = "/api/prescriptions/upload";
  var IMAGE_TYPES = /^image\/(png|jpeg|tiff|webp|bmp|gif|heic|heif)$/;
  var PLAIN_ERRORS = {
    413: "Too large for the server's limit.",
    415: "Not a type we can read: send an image (PNG, JPEG, TIFF, WebP) or a PDF.",
    403: "You are not allowed to upload, or your session ended: reload the page."
  };

  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  function isPdf(file) { return file.type === "application/pdf" || /\.pdf$/i.test(file.name); }

  function precheck(file, maxBytes) {
    if (file.size === 0) { return "The file is empty."; }
    if (maxBytes && file.size > maxBytes) {
      return "Too large: " + megabytes(file.size) + "; the limit is " + megabytes(maxBytes) + ".";
    }
    if (!isPdf(file) && !IMAGE_TYPES.test(file.type) && !/\.(png|jpe?g|tiff?|webp|bmp|gif|heic)$/i.test(file.name)) {
      return "Not a type we can read: send an image (PNG, JPEG, TIFF, WebP) or a PDF.";
    }
    return null;
  }

  function errorOf(xhr) {
    var data = null;
    try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
    if (data && data.files && data.files.length && data.files[0].detail) { return data.files[0].detail; }
    if (data && data.detail) { return data.detail; }
    return PLAIN_ERRORS[xhr.status] || "The upload failed (server answered " + xhr.status + ").";
  }

  function formFor(file, choice) {
    var form = new FormData();
    form.append("files", file, file.name);
    if (choice.configId) {
      form.append("configId", choice.configId);
    } else {
      form.append("selectedModels", choice.engines.join(","));
      form.append("selectedFields", choice.fields.join(","));
    }
    return form;
  }

  function checkedValues(name) {
    return Array.prototype.map.call(document.querySelectorAll('input[name="' + name + '"]:checked'), function (box) { return box.value; });
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("uploader", function () {
      return {
        items: [],
        dragging: false,
        busy: false,
        configId: "",
        nextKey: 0,

        init: function () {
          var select = document.getElementById("config-select");
          this.configId = select ? select.value : "";
          this.maxBytes = parseInt(this.$el.getAttribute("data-max-bytes"), 10) || 0;
        },
        get dropClass() { return this.dragging ? "dragging" : ""; },
        get noConfig() { return !this.configId; },
        get count() { return this.items.length; },
        get empty() { return this.items.length === 0; },
        get cannotSend() { return this.busy || !this.items.some(function (i) { return i.state === "ready"; }); },

        configChanged: function (event) { this.configId = event.target.value; },
        dragOver: function () { this.dragging = true; },
        dragLeave: function () { this.dragging = false; },
        dropped: function (event) {
          this.dragging = false;
          this.add(event.dataTransfer.files);
        },
        picked: function (event) {
          this.add(event.target.files);
          event.target.value = "";
        },
        add: function (files) {
          for (var i = 0; i < files.length; i += 1) { this.addOne(files[i]); }
        },
        addOne: function (file) {
          var problem = precheck(file, this.maxBytes);
          this.nextKey += 1;
          this.items.push({
            key: this.nextKey,
            file: file,
            name: file.name,
            sizeText: megabytes(file.size),
            isPdf: isPdf(file),
            thumb: !isPdf(file) && !problem ? URL.createObjectURL(file) : "",
            progress: 0,
            state: problem ? "error" : "ready",
            message: problem || "Ready to send",
            link: "",
            locked: false,
            progressLabel: "Upload progress of " + file.name,
            removeLabel: "Remove " + file.name
          });
        },
        remove: function (item) {
          if (item.thumb) { URL.revokeObjectURL(item.thumb); }
          this.items = this.items.filter(function (other) { return other.key !== item.key; });
        },
        clearDone: function () {
          var self = this;
          this.items.filter(function (i) { return i.state !== "ready"; }).forEach(function (i) { self.remove(i); });
        },
        choice: function () {
          return { configId: this.configId, engines: checkedValues("engine"), fields: checkedValues("field-group") };
        },
        processAll: async function () {
          var choice = this.choice();
          if (!choice.configId && choice.engines.length === 0) {
            window.ScriptSensei.toast("Choose at least one engine, or a config.", "error");
            return;
          }
          this.busy = true;
          var ready = this.items.filter(function (i) { return i.state === "ready"; });
          for (var i = 0; i < ready.length; i += 1) { await this.send(ready[i], choice); }
          this.busy = false;
        },
        send: function (item, choice) {
          item.state = "sending";
          item.locked = true;
          item.message = "Uploading…";
          return new Promise(function (resolve) {
            var xhr = new XMLHttpRequest();
            xhr.open("POST", UPLOAD_URL);
            xhr.setRequestHeader("X-CSRF-Token", window.ScriptSensei.csrfToken());
            xhr.upload.addEventListener("progress", function (event) {
              if (event.lengthComputable) { item.progress = Math.round((event.loaded / event.total) * 100); }
            });
            xhr.addEventListener("load", function () {
              var data = null;
              try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
              var accepted = xhr.status < 300 && data && data.files && data.files[0] && data.files[0].id;
              if (accepted) {
                item.progress = 100;
                item.state = "done";
                item.message = data.files[0].status === "linked" ? "Already uploaded: linked to the earlier prescription" : "Uploaded: queued for reading";
                item.link = "/prescriptions/" + data.files[0].id;
              } else {
                item.state = "error";
                item.locked = false;
                item.message = errorOf(xhr);
              }
              resolve();
            });
            xhr.addEventListener("error", function () {
              item.state = "error";
              item.locked = false;
              item.message = "The server could not be reached; check the connection and try again.";
              resolve();
            });
            xhr.send(formFor(item.file, choice));
          });
        }
      };
    });
  });
})();
