<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="78"/>
        <source>Portfolio</source>
        <extracomment>The pages, in navigation order: (title, factory). Ctrl+1… switches to them. The title is the page&apos;s key in code; it is shown translated (:func:`page_title`).</extracomment>
        <translation>Portfolio</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="79"/>
        <source>Plans</source>
        <translation>Pläne</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="80"/>
        <source>Scenario Lab</source>
        <translation>Szenario-Labor</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="82"/>
        <source>Program</source>
        <translation>Programm</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>Partners</source>
        <translation>Partner</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="84"/>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="88"/>
        <source>&amp;Portfolio</source>
        <extracomment>The View menu&apos;s entry of each page, with its mnemonic (unique in the menu).</extracomment>
        <translation>&amp;Portfolio</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="89"/>
        <source>P&amp;lans</source>
        <translation>P&amp;läne</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="90"/>
        <source>&amp;Scenario Lab</source>
        <translation>&amp;Szenario-Labor</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="91"/>
        <source>Pro&amp;gram</source>
        <translation>Pro&amp;gramm</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="92"/>
        <source>Par&amp;tners</source>
        <translation>Par&amp;tner</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="93"/>
        <source>&amp;Data</source>
        <translation>&amp;Daten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="191"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="193"/>
        <source>&amp;New workspace…</source>
        <translation>&amp;Neuer Arbeitsbereich…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="195"/>
        <source>&amp;Open workspace…</source>
        <translation>Arbeitsbereich ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="197"/>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="198"/>
        <source>New &amp;demo workspace…</source>
        <translation>Neuer &amp;Demo-Arbeitsbereich…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>&amp;Export plan to Excel…</source>
        <translation>Plan nach &amp;Excel exportieren…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>Export &amp;portfolio to Excel…</source>
        <translation>&amp;Portfolio nach Excel exportieren…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="207"/>
        <source>&amp;Import partner&apos;s plan workbook…</source>
        <translation>Plan-Arbeitsmappe des Partners &amp;importieren…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="212"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="215"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="218"/>
        <source>&amp;Undo:</source>
        <translation>&amp;Rückgängig:</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="220"/>
        <source>&amp;Redo:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="230"/>
        <source>&amp;Switch editor…</source>
        <translation>&amp;Bearbeiter wechseln…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="233"/>
        <source>&amp;Plan</source>
        <translation>&amp;Plan</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="235"/>
        <source>&amp;New plan…</source>
        <translation>&amp;Neuer Plan…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="237"/>
        <source>&amp;Roll forward to next year…</source>
        <translation>Ins nächste &amp;Jahr fortschreiben…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="240"/>
        <source>Show &amp;Overview</source>
        <translation>&amp;Übersicht zeigen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="241"/>
        <source>Show &amp;Goals &amp;&amp; KPIs</source>
        <translation>&amp;Ziele &amp;&amp; KPIs zeigen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="242"/>
        <source>Show &amp;Agreement</source>
        <translation>&amp;Vereinbarung zeigen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="243"/>
        <source>Show &amp;History</source>
        <translation>Verlau&amp;f zeigen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="244"/>
        <source>Show &amp;QBR</source>
        <translation>&amp;QBR zeigen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="247"/>
        <source>Re&amp;load plan</source>
        <translation>Plan neu &amp;laden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="250"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="256"/>
        <source>Set “&amp;as of” date…</source>
        <translation>Stic&amp;htag festlegen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="259"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="261"/>
        <source>&amp;Welcome</source>
        <translation>&amp;Willkommen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="262"/>
        <source>&amp;User guide</source>
        <translation>&amp;Benutzerhandbuch</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="263"/>
        <source>&amp;Find a command…</source>
        <translation>Befehl &amp;suchen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="265"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="267"/>
        <source>&amp;About JBP Studio</source>
        <translation>&amp;Über JBP Studio</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="275"/>
        <source>&amp;Number format</source>
        <translation>&amp;Zahlenformat</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="279"/>
        <source>&amp;System</source>
        <translation>&amp;System</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="279"/>
        <source>&amp;English</source>
        <translation>&amp;Englisch</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="280"/>
        <source>&amp;German</source>
        <translation>&amp;Deutsch</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="296"/>
        <source>Number format saved: it applies when JBP Studio starts next.</source>
        <translation>Zahlenformat gespeichert: es gilt beim nächsten Start von JBP Studio.</translation>
    </message>
</context>
</TS>
