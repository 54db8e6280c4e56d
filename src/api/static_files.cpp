// GET of pages and assets under /console/, /demo/ and /sdk/ (web/ in the source tree).
//   /console/            -> web/console/index.html
//   /console/onboard     -> web/console/onboard.html   (a last segment without '.' is a page)
//   /console/assets/x.js -> web/console/assets/x.js
// From the compiled-in copy, or from ServiceOptions::web_root when set (development).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/routes.h"
#include "api/web_assets.h"

namespace livecheck::api {
namespace {

const char* content_type_of(std::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [ext, type] : kTypes) {
    const std::string_view e(ext);
    if (path.size() >= e.size() && path.substr(path.size() - e.size()) == e) return type;
  }
  return "application/octet-stream";
}

// "web/…" for a request path, or "" when the path is not a safe asset path.
std::string asset_path(std::string_view url) {
  if (url.find("..") != std::string_view::npos || url.find('\\') != std::string_view::npos ||
      url.find("//") != std::string_view::npos) {
    return {};
  }
  std::string p = "web" + std::string(url);
  if (p.back() == '/') {
    p += "index.html";
  } else if (p.substr(p.rfind('/')).find('.') == std::string::npos) {
    p += ".html";
  }
  return p;
}

Reply not_found_page() {
  Reply r;
  r.status = 404;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Not found</title>"
      "<p>This page does not exist. <a href=\"/console/\">Go to the console</a>.</p></html>";
  r.error_code = "not_found";
  return r;
}

}  // namespace

Reply get_static(Service& svc, RequestContext& ctx) {
  // "/console" and "/demo" without the slash: the pages use relative-free absolute links, but
  // a typed URL should still land.
  if (ctx.path == "/console" || ctx.path == "/demo") {
    Reply r;
    r.status = 308;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", ctx.path + "/");
    return r;
  }
  if (ctx.path.rfind("/console/api/", 0) == 0) {
    Reply r;
    r.status = 404;
    r.body = R"({"error":{"code":"not_found","message":"No such console endpoint."}})";
    r.error_code = "not_found";
    return r;
  }
  const std::string path = asset_path(ctx.path);
  if (path.empty()) return not_found_page();
  Reply r;
  bool found = false;
  if (!svc.options().web_root.empty()) {
    const auto file = std::filesystem::path(svc.options().web_root) / path.substr(4);
    std::ifstream f(file, std::ios::binary);
    if (f && std::filesystem::is_regular_file(file)) {
      std::ostringstream ss;
      ss << f.rdbuf();
      r.body = ss.str();
      found = true;
    }
  } else {
    for (const WebAsset* a = web_assets(); a->path; ++a) {
      if (path == a->path) {
        r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
        found = true;
        break;
      }
    }
  }
  if (!found) return not_found_page();
  r.content_type = content_type_of(path);
  const bool html = path.size() > 5 && path.substr(path.size() - 5) == ".html";
  // Pages carry tokens in their URLs: never cache them, never send them as a Referer.
  r.headers.emplace_back("Cache-Control", html ? "no-store" : "no-cache");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  // The capture demo shows camera frames and captured stills (blob:/data: URLs) and uses the
  // camera; the console needs none of that.
  const bool camera = ctx.path.rfind("/demo", 0) == 0 || ctx.path.rfind("/sdk/", 0) == 0;
  r.headers.emplace_back("Content-Security-Policy",
                         camera ? "default-src 'self'; img-src 'self' data: blob:; "
                                  "media-src 'self' blob: mediastream:; object-src 'none'; "
                                  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
                                : "default-src 'self'; object-src 'none'; base-uri 'none'; "
                                  "form-action 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("Permissions-Policy",
                         camera ? "camera=(self)" : "camera=(), microphone=(), geolocation=()");
  // The SDK is imported by customers' pages on their own origins: module scripts need CORS.
  if (ctx.path.rfind("/sdk/", 0) == 0) {
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
    r.headers.emplace_back("Cross-Origin-Resource-Policy", "cross-origin");
  }
  return r;
}

}  // namespace livecheck::api
