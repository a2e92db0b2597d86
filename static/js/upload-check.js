// Checks the files a patient chooses before they are uploaded: how many, each one's size, all of
// them together, and the type by its extension. A choice over a limit is cleared at once, so a file
// the server would refuse is never sent. The server checks everything again (quotes/uploads.py);
// limits and messages come from the input's data- attributes (quotes/forms.py), in the page's language.
(function () {
  "use strict";

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function acceptedExtensions(input) {
    return (input.getAttribute("accept") || "")
      .split(",")
      .map(function (item) { return item.trim().toLowerCase(); })
      .filter(function (item) { return item.charAt(0) === "."; });
  }

  // Files already kept for this form and not ticked for removal count towards the limits too.
  function keptFiles(form) {
    var kept = { count: 0, bytes: 0 };
    form.querySelectorAll("input[data-kept-size]").forEach(function (box) {
      if (!box.checked) {
        kept.count += 1;
        kept.bytes += Number(box.getAttribute("data-kept-size")) || 0;
      }
    });
    return kept;
  }

  function problem(input) {
    var data = input.dataset;
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) {
      return "";
    }
    var kept = input.form ? keptFiles(input.form) : { count: 0, bytes: 0 };
    var maxFiles = Number(data.maxFiles);
    var maxFileBytes = Number(data.maxFileBytes);
    var maxTotalBytes = Number(data.maxTotalBytes);
    var extensions = acceptedExtensions(input);

    if (files.length + kept.count > maxFiles) {
      return fill(data.messageTooMany, { count: files.length + kept.count, limit: maxFiles });
    }
    for (var i = 0; i < files.length; i += 1) {
      var name = files[i].name;
      var dot = name.lastIndexOf(".");
      var extension = dot === -1 ? "" : name.slice(dot).toLowerCase();
      // No extension at all is left to the server: DICOM files from a CD often have none.
      if (extension && extensions.length && extensions.indexOf(extension) === -1) {
        return fill(data.messageType, { name: name });
      }
      if (files[i].size > maxFileBytes) {
        return fill(data.messageTooLarge, {
          name: name, size: megabytes(files[i].size), limit: megabytes(maxFileBytes)
        });
      }
    }
    var total = kept.bytes + files.reduce(function (sum, file) { return sum + file.size; }, 0);
    if (total > maxTotalBytes) {
      return fill(data.messageTotal, { size: megabytes(total), limit: megabytes(maxTotalBytes) });
    }
    return "";
  }

  function show(input, output, message) {
    output.textContent = message;
    output.classList.toggle("field-error", Boolean(message));
    var field = input.closest(".field");
    if (field) {
      field.classList.toggle("field-invalid", Boolean(message));
    }
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  document.querySelectorAll("input[type=file][data-upload-check]").forEach(function (input) {
    var output = document.getElementById(input.id + "_check");
    if (!output) {
      return;
    }
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(output.id) === -1) {
      described.push(output.id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    input.addEventListener("change", function () {
      var message = problem(input);
      if (message) {
        input.value = "";  // Nothing over a limit is ever uploaded.
      }
      show(input, output, message);
    });
  });
})();
