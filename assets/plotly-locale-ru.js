/* Russian locale of plotly.js (dates, months, number separators, mode-bar texts).
   Registered on load when Plotly is present, else queued in window.PlotlyLocales, which
   plotly.js registers itself when dcc.Graph loads it. Used by graphs with config.locale = 'ru'. */
(function () {
    var locale = {
        moduleType: 'locale',
        name: 'ru',
        dictionary: {
            'Autoscale': 'Автомасштаб',
            'Box Select': 'Выделение прямоугольником',
            'Click to enter Colorscale title': 'Введите название шкалы цвета',
            'Click to enter Component A title': 'Введите название компонента A',
            'Click to enter Component B title': 'Введите название компонента B',
            'Click to enter Component C title': 'Введите название компонента C',
            'Click to enter Plot title': 'Введите название графика',
            'Click to enter X axis title': 'Введите название оси X',
            'Click to enter Y axis title': 'Введите название оси Y',
            'Click to enter radial axis title': 'Введите название радиальной оси',
            'Compare data on hover': 'Сравнивать данные при наведении',
            'Double-click on legend to isolate one trace': 'Дважды щёлкните по легенде, чтобы выделить один ряд',
            'Double-click to zoom back out': 'Дважды щёлкните, чтобы вернуть масштаб',
            'Download plot': 'Скачать график',
            'Download plot as a png': 'Скачать график в PNG',
            'Draw circle': 'Нарисовать круг',
            'Draw closed freeform': 'Нарисовать замкнутую фигуру',
            'Draw line': 'Нарисовать линию',
            'Draw open freeform': 'Нарисовать незамкнутую фигуру',
            'Draw rectangle': 'Нарисовать прямоугольник',
            'Erase active shape': 'Удалить фигуру',
            'Lasso Select': 'Выделение лассо',
            'Orbital rotation': 'Орбитальное вращение',
            'Pan': 'Сдвиг',
            'Produced with Plotly.js': 'Создано с Plotly.js',
            'Reset': 'Сбросить',
            'Reset axes': 'Сбросить оси',
            'Reset camera to default': 'Вернуть камеру по умолчанию',
            'Reset camera to last save': 'Вернуть последнюю сохранённую камеру',
            'Reset view': 'Сбросить вид',
            'Reset views': 'Сбросить виды',
            'Show closest data on hover': 'Показывать ближайшие данные при наведении',
            'Snapshot succeeded': 'Снимок создан',
            'Sorry, there was a problem downloading your snapshot!': 'Не удалось скачать снимок.',
            'Taking snapshot - this may take a few seconds': 'Создание снимка — это может занять несколько секунд',
            'Toggle Spike Lines': 'Включить/выключить линии-указатели',
            'Toggle show closest data on hover': 'Переключить показ ближайших данных при наведении',
            'Turntable rotation': 'Вращение вокруг оси',
            'Zoom': 'Масштаб',
            'Zoom in': 'Увеличить',
            'Zoom out': 'Уменьшить',
            'close:': 'закрытие:',
            'high:': 'макс.:',
            'low:': 'мин.:',
            'open:': 'открытие:',
            'incoming flow count:': 'входящий поток:',
            'outgoing flow count:': 'исходящий поток:',
            'kde:': 'kde:',
            'lat:': 'шир.:',
            'lon:': 'долг.:',
            'max:': 'макс.:',
            'mean ± σ:': 'среднее ± σ:',
            'mean:': 'среднее:',
            'median:': 'медиана:',
            'min:': 'мин.:',
            'q1:': 'q1:',
            'q3:': 'q3:',
            'source:': 'источник:',
            'target:': 'цель:',
            'trace': 'ряд',
            'upper fence:': 'верхняя граница:',
            'lower fence:': 'нижняя граница:'
        },
        format: {
            days: ['воскресенье', 'понедельник', 'вторник', 'среда', 'четверг', 'пятница', 'суббота'],
            shortDays: ['вс', 'пн', 'вт', 'ср', 'чт', 'пт', 'сб'],
            months: ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь',
                     'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'],
            shortMonths: ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'],
            date: '%d.%m.%Y',
            decimal: ',',
            thousands: ' '
        }
    };
    if (typeof Plotly === 'undefined') {
        window.PlotlyLocales = window.PlotlyLocales || [];
        window.PlotlyLocales.push(locale);
    } else {
        Plotly.register(locale);
    }
})();
