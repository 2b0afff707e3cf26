/*
 * Baromètre numérique des territoires: live charts over their static fallbacks.
 *
 * Markup (written by the site builder):
 *
 *   <figure class="chart" data-vega-spec="../graphiques/abc123.json">
 *     <div data-vega-fallback>…static SVG rendered by vl-convert…</div>
 *     <figcaption>…</figcaption>
 *     <table>…the same numbers…</table>
 *   </figure>
 *
 * When the first figure comes near the viewport, this script loads the vendored
 * vega.min.js, vega-lite.min.js and vega-embed.min.js (same origin, next to it: pages
 * whose charts are never seen load none of them), fetches each spec (relative to the
 * page), draws it with vega-embed (SVG renderer, no action menu, CSP-safe expression
 * interpreter, no injected <style>), names the drawing with the spec's French
 * description (role="img", aria-label on its container; Vega's own SVG is hidden from
 * assistive technologies, whose alternative is the data table), and only then
 * replaces the fallback. Relative data URLs inside a spec
 * are resolved against the spec's own address; data from another origin is refused.
 * Without JavaScript, or if anything fails, the static SVG and the table stay.
 * Figures are drawn when they come near the viewport.
 *
 * Licence: AGPL-3.0-or-later (the project's). No dependency beyond the vendored Vega.
 */
(function () {
  "use strict";

  var SELECTOR = "figure[data-vega-spec]";
  var SELF = document.currentScript ? document.currentScript.src : "";
  var LIBRARIES = [
    "../vendor/vega/vega.min.js",
    "../vendor/vega-lite/vega-lite.min.js",
    "../vendor/vega-embed/vega-embed.min.js"
  ];
  var loading = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("script introuvable : " + src)); };
      document.head.appendChild(script);
    });
  }

  function libraries() {
    if (ready()) {
      return Promise.resolve();
    }
    if (!loading) {
      loading = LIBRARIES.reduce(function (chain, path) {
        return chain.then(function () { return loadScript(new URL(path, SELF).href); });
      }, Promise.resolve());
    }
    return loading;
  }

  function ready() {
    return typeof window.vegaEmbed === "function" && typeof window.vega === "object";
  }

  function directoryOf(href) {
    return href.replace(/[^/]*([?#].*)?$/, "");
  }

  function sameOriginLoader(baseURL) {
    var loader = window.vega.loader({ baseURL: baseURL });
    var sanitize = loader.sanitize;
    loader.sanitize = function (uri, options) {
      return sanitize.call(loader, uri, options).then(function (result) {
        var target = new URL(result.href, baseURL);
        if (target.origin !== window.location.origin) {
          throw new Error("donnée distante refusée : " + result.href);
        }
        return result;
      });
    };
    return loader;
  }

  function label(spec) {
    if (typeof spec.description === "string" && spec.description) {
      return spec.description;
    }
    var title = spec.title;
    if (title && typeof title === "object") {
      title = title.text;
    }
    return Array.isArray(title) ? title.join(" ") : String(title || "Graphique");
  }

  function embed(figure) {
    if (figure.getAttribute("data-vega-state")) {
      return;
    }
    figure.setAttribute("data-vega-state", "loading");
    var specURL = new URL(figure.getAttribute("data-vega-spec"), document.baseURI).href;
    var fallback = figure.querySelector("[data-vega-fallback]");
    var holder = document.createElement("div");
    holder.className = "chart-live";
    holder.hidden = true;
    if (fallback) {
      fallback.parentNode.insertBefore(holder, fallback.nextSibling);
    } else {
      figure.insertBefore(holder, figure.firstChild);
    }
    var loader = null;
    libraries()
      .then(function () {
        loader = sameOriginLoader(directoryOf(specURL));
        return loader.load(specURL);
      })
      .then(function (text) {
        var spec = JSON.parse(text);
        return window
          .vegaEmbed(holder, spec, {
            actions: false,
            renderer: "svg",
            mode: "vega-lite",
            ast: true,
            defaultStyle: false,
            tooltip: { disableDefaultStyle: true },
            loader: loader
          })
          .then(function () {
            var svg = holder.querySelector("svg");
            if (!svg) {
              throw new Error("aucun SVG produit");
            }
            holder.setAttribute("role", "img");
            holder.setAttribute("aria-label", label(spec));
            svg.setAttribute("aria-hidden", "true");
            svg.removeAttribute("role");
            svg.removeAttribute("aria-roledescription");
            holder.hidden = false;
            if (fallback) {
              fallback.parentNode.removeChild(fallback);
            }
            figure.setAttribute("data-vega-state", "ready");
          });
      })
      .catch(function (error) {
        if (holder.parentNode) {
          holder.parentNode.removeChild(holder);
        }
        figure.setAttribute("data-vega-state", "failed");
        if (window.console && console.warn) {
          console.warn("Graphique laissé en version statique (" + specURL + ") :", error);
        }
      });
  }

  function start() {
    if (!SELF || !("Promise" in window) || !("URL" in window)) {
      return;
    }
    var figures = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
    if (!("IntersectionObserver" in window)) {
      figures.forEach(embed);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            embed(entry.target);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    figures.forEach(function (figure) {
      observer.observe(figure);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
