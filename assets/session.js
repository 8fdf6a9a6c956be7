/* When the session has expired, a Dash callback answers 401: send the user to the log-in form
   (and back to this page afterwards) instead of leaving a page that silently stops updating. */
(function () {
    var originalFetch = window.fetch;
    window.fetch = function () {
        return originalFetch.apply(this, arguments).then(function (response) {
            if (response.status === 401 && response.url.indexOf('/_dash-') !== -1) {
                var here = window.location.pathname + window.location.search;
                window.location.assign('/login?m=expired&next=' + encodeURIComponent(here));
            }
            return response;
        });
    };
})();
