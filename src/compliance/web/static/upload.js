// The chosen file's name next to the 「选择文件」 button (the browser's own control is hidden: its text follows the
// browser's language, not the page's).
document.querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
  input.addEventListener("change", function () {
    var shown = input.closest("form").querySelector(".file-name");
    if (shown) { shown.textContent = input.files.length ? input.files[0].name : "未选择文件"; }
  });
});
