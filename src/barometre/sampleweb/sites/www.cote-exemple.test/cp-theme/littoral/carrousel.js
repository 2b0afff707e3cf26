/* Page synthétique écrite pour le Baromètre numérique des territoires (jeu d'essai). */
/* Theme script of a commercial CMS, as many are. The home page's photo carousel stays
   hidden until this script has set it up, once the page has loaded, in one long
   synchronous task (the main thread is blocked, whatever the processor: the loop waits
   on the clock); then it shows the carousel and inserts an information banner above the
   content, which pushes the whole page down (a layout shift). */
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var end = performance.now() + 3200;
    while (performance.now() < end) { /* initialisation du carrousel */ }
    var carousel = document.querySelector(".cp-une");
    if (carousel) { carousel.style.visibility = "visible"; }
    var banner = document.createElement("div");
    banner.className = "cp-info";
    banner.setAttribute("role", "note");
    banner.style.cssText = "min-height:280px;padding:1em;background:#0b4f6c;color:#fff";
    banner.textContent = "Info travaux : la promenade du front de mer est fermée à la circulation pendant la saison.";
    var content = document.getElementById("contenu");
    content.parentNode.insertBefore(banner, content);
  });
})();
