'use strict';
// plotly.js's French locale (month and day names, separators), registered on the page's Plotly
// (the reports' bundle, loaded before this file): a figure with config.locale "fr" is drawn in French.
window.Plotly.register(require('plotly.js-locales/fr'));
