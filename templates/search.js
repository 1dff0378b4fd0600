// The search page: Pagefind's default UI on this language's index (Pagefind picks it from <html lang>),
// started with the query of the page's address, search.html?q=…, so that links to results work.
"use strict";
const search = new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });
const query = new URLSearchParams(window.location.search).get("q");
if (query) {
  search.triggerSearch(query);
}
