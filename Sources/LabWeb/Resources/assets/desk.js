// Roster and timetable uploads: the file goes as it is to the API, which checks it whole.
"use strict";
(function () {
  const csrf = document.getElementById("desk").dataset.csrf;
  const result = document.getElementById("upload-result");
  function upload(input, path) {
    input.addEventListener("change", () => {
      const file = input.files[0];
      if (!file) return;
      const replace = path === "timetable" && document.getElementById("timetable-replace").checked ? "&replace=1" : "";
      fetch("/api/v1/" + path + "?file=" + encodeURIComponent(file.name) + replace, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "text/csv", "X-CSRF-Token": csrf }, body: file
      }).then(r => r.json().then(body => ({ ok: r.ok, body })))
        .then(({ ok, body }) => { result.textContent = ok ? "Imported: " + JSON.stringify(body) : body.error + "\n" + (body.problems || []).join("\n"); })
        .catch(e => { result.textContent = "Upload failed: " + e; });
      input.value = "";
    });
  }
  upload(document.getElementById("roster-file"), "roster");
  upload(document.getElementById("timetable-file"), "timetable");
})();
