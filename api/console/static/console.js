// The only script: an uploaded disclosure file is also shown in the text box before sending.
document.addEventListener("DOMContentLoaded", () => {
  const upload = document.getElementById("upload");
  const box = document.getElementById("disclosure");
  if (!upload || !box) return;
  upload.addEventListener("change", async () => {
    const file = upload.files[0];
    if (file) box.value = await file.text();
  });
});
