package io.worldgate.gateway.cli.internal;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns padded to their widest cell; null cells print as "-". */
public final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = header;
    }

    public Table row(Object... cells) {
        String[] r = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            r[i] = i < cells.length && cells[i] != null && !cells[i].toString().isEmpty() ? cells[i].toString() : "-";
        }
        rows.add(r);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        append(sb, header, width);
        rows.forEach(r -> append(sb, r, width));
        return sb.toString();
    }

    private static void append(StringBuilder sb, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            sb.append(last ? cells[i] : String.format("%-" + width[i] + "s  ", cells[i]));
        }
        sb.append('\n');
    }
}
